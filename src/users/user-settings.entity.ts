import { Entity, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';

// A user's own preferences. Not audited: the trail would carry the sealed key for no reader's benefit.
@Unaudited()
@Entity({ tableName: 'user_settings' })
export class UserSettings extends TenantEntity {
  @Property({ type: 'uuid' })
  userId: string;

  // The user's LLM API key, sealed like the product's secrets (AES-256-GCM under SECRETS_KEYS).
  @Property({ type: 'varchar', length: 64, nullable: true })
  llmApiKeyKeyId: string | null = null;

  @Property({ type: 'blob', columnType: 'bytea', nullable: true, lazy: false })
  llmApiKeyNonce: Buffer | null = null;

  @Property({ type: 'blob', columnType: 'bytea', nullable: true })
  llmApiKeyCiphertext: Buffer | null = null;

  @Property({ type: 'varchar', length: 35, nullable: true })
  preferredLanguage: string | null = null;

  constructor(userId: string) {
    super();
    this.userId = userId;
  }
}
