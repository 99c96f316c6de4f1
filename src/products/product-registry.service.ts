import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { PRODUCT_SETTINGS, type ProductSettingName } from '../config/registry.config';
import { productSecretContext, SecretsCipher } from './secrets-cipher';
import { isDatabaseUnavailable } from '../common/unavailable';

// Suspension and secret changes reach every replica within this (the issue allows 5 s).
export const REGISTRY_POLL_MS = 2_000;

interface ProductRow {
  status: 'active' | 'suspended';
  suspended_reason: string | null;
}

interface SecretRow {
  name: string;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

/**
 * This process's view of its product's registry row and secrets, polled on the runtime connection
 * (RLS shows it its own product's rows only). Suspension and the effective settings (environment
 * first, then the registry) are read from here, so a change needs no restart.
 */
@Injectable()
export class ProductRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ProductRegistry.name);
  private readonly cipher: SecretsCipher;
  private timer?: NodeJS.Timeout;
  private status: ProductRow = { status: 'active', suspended_reason: null };
  private secrets = new Map<string, string>();
  // Decrypted values by sealed identity, so an unchanged secret is not decrypted every poll.
  private opened = new Map<string, string>();
  private readonly warned = new Set<string>();
  private pollFailing = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orm: MikroORM,
  ) {
    this.cipher = new SecretsCipher(config.registry.secretsKeys);
  }

  // The first load runs before the app listens: unreadable secrets stop the boot (naming the key).
  async onModuleInit(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      // A database that is down at boot is retried by the poll (readiness says so meanwhile); a
      // secret that cannot be decrypted is not, and stops the boot.
      if (!isDatabaseUnavailable(error)) {
        throw error;
      }
      this.pollFailing = true;
      this.logger.warn(`could not read the product registry at boot; retrying every ${REGISTRY_POLL_MS} ms`);
    }
    this.timer = setInterval(() => void this.poll(), REGISTRY_POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get suspended(): boolean {
    return this.status.status === 'suspended';
  }

  get suspendedReason(): string | null {
    return this.status.suspended_reason;
  }

  /** The effective value of a product setting: the environment wins, else the registry. */
  setting(name: ProductSettingName): string | undefined {
    return this.config.registry.envSettings[name] ?? this.secrets.get(name);
  }

  private async poll(): Promise<void> {
    try {
      await this.refresh();
      if (this.pollFailing) {
        this.logger.log('product registry is readable again');
      }
      this.pollFailing = false;
    } catch (error) {
      // Keep the last known state: a database blip must not flip suspension or drop keys.
      if (!this.pollFailing) {
        this.logger.warn(`could not read the product registry: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.pollFailing = true;
    }
  }

  private async refresh(): Promise<void> {
    const connection = this.orm.em.getConnection();
    const [row] = (await connection.execute('select status, suspended_reason from products where name = ?', [
      this.config.product,
    ])) as ProductRow[];
    const rows = (await connection.execute('select name, key_id, nonce, ciphertext from product_secrets where product_name = ?', [
      this.config.product,
    ])) as SecretRow[];
    // A product missing from the registry (not registered yet) is active.
    const status = row ?? { status: 'active', suspended_reason: null };
    if (status.status !== this.status.status) {
      this.logger.warn(`product "${this.config.product}" is now ${status.status}${status.suspended_reason ? `: ${status.suspended_reason}` : ''}`);
    }
    this.status = status;
    this.secrets = this.openAll(rows);
  }

  private openAll(rows: SecretRow[]): Map<string, string> {
    const opened = new Map<string, string>();
    const values = new Map<string, string>();
    for (const row of rows) {
      if (!(PRODUCT_SETTINGS as readonly string[]).includes(row.name)) {
        continue;
      }
      const identity = `${row.name}:${row.key_id}:${row.nonce.toString('hex')}`;
      const value =
        this.opened.get(identity) ??
        this.cipher.open({ keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext }, productSecretContext(this.config.product, row.name));
      opened.set(identity, value);
      values.set(row.name, value);
      if (this.config.registry.envSettings[row.name as ProductSettingName] !== undefined && !this.warned.has(row.name)) {
        this.warned.add(row.name);
        this.logger.warn(`${row.name} is set in the environment: it overrides the product registry's value`);
      }
    }
    this.opened = opened;
    return values;
  }
}
