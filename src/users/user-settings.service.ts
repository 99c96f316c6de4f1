import { BadRequestException, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { last4, SecretsCipher, userSecretContext } from '../products/secrets-cipher';
import { TenantContext } from '../tenancy/tenant-context';
import type { UpdateUserSettingsBody, UserSettingsResponse } from './user-settings.dto';
import { UserSettings } from './user-settings.entity';
import { User } from './user.entity';

const LLM_KEY = 'llmApiKey';

@Injectable()
export class UserSettingsService {
  private readonly cipher: SecretsCipher;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly em: EntityManager,
    private readonly tenant: TenantContext,
  ) {
    this.cipher = new SecretsCipher(config.registry.secretsKeys);
  }

  async get(user: User): Promise<UserSettingsResponse> {
    return this.toResponse(user, await this.em.findOne(UserSettings, { userId: user.id }));
  }

  async update(user: User, body: UpdateUserSettingsBody): Promise<UserSettingsResponse> {
    let settings = await this.em.findOne(UserSettings, { userId: user.id });
    if (!settings) {
      settings = new UserSettings(user.id);
      this.em.persist(settings);
    }
    if (body.llmApiKey !== undefined) {
      if (body.llmApiKey === null) {
        settings.llmApiKeyKeyId = settings.llmApiKeyNonce = settings.llmApiKeyCiphertext = null;
      } else {
        if (!this.cipher.canSeal) {
          // A setting of this server, not an outage: the request cannot succeed here (400), and retrying won't help.
          throw new BadRequestException('This server does not store personal API keys (no SECRETS_KEYS); leave llmApiKey out');
        }
        const sealed = this.cipher.seal(body.llmApiKey, userSecretContext(this.tenant.product, user.id, LLM_KEY));
        settings.llmApiKeyKeyId = sealed.keyId;
        settings.llmApiKeyNonce = sealed.nonce;
        settings.llmApiKeyCiphertext = sealed.ciphertext;
      }
    }
    if (body.preferredLanguage !== undefined) {
      settings.preferredLanguage = body.preferredLanguage;
    }
    await this.em.flush();
    return this.toResponse(user, settings);
  }

  /** The signed-in caller's own LLM key, if they set one; never anyone else's. */
  async currentUserLlmApiKey(): Promise<string | undefined> {
    const userId = this.tenant.userId;
    if (!userId) {
      return undefined;
    }
    const settings = await this.em.fork().findOne(UserSettings, { userId });
    return settings ? this.openKey(userId, settings) : undefined;
  }

  private toResponse(user: User, settings: UserSettings | null): UserSettingsResponse {
    const key = settings ? this.openKey(user.id, settings) : undefined;
    return { llmApiKeyLast4: key === undefined ? null : last4(key), preferredLanguage: settings?.preferredLanguage ?? null };
  }

  private openKey(userId: string, settings: UserSettings): string | undefined {
    if (!settings.llmApiKeyKeyId || !settings.llmApiKeyNonce || !settings.llmApiKeyCiphertext) {
      return undefined;
    }
    return this.cipher.open(
      { keyId: settings.llmApiKeyKeyId, nonce: settings.llmApiKeyNonce, ciphertext: settings.llmApiKeyCiphertext },
      userSecretContext(this.tenant.product, userId, LLM_KEY),
    );
  }
}
