import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { SignJWT, type JWTPayload } from 'jose';
import request from 'supertest';
import { Webhook } from 'svix';
import { createApp } from '../../src/app.setup';
import { type AppConfig, loadConfig, type Role } from '../../src/config/app-config';
import { prepareDatabase } from '../../src/database/migrate';
import { runInTenant } from '../../src/tenancy/tenant-context';

export const PRODUCTS = ['bestays', 'realestate'] as const;
export type ProductName = (typeof PRODUCTS)[number];

/** Each product against the other: isolation tests run in both directions. */
export const DIRECTIONS = [
  ['bestays', 'realestate'],
  ['realestate', 'bestays'],
] as const;

export const otherProduct = (product: ProductName): ProductName => (product === 'bestays' ? 'realestate' : 'bestays');

const quiet = { log: () => undefined, warn: () => undefined };

// Suites fire many requests from one address: limits far above them (rate-limit tests set their own).
const GENEROUS_RATE_LIMITS = Object.fromEntries(
  ['SEARCH', 'PUBLIC', 'CHAT', 'READ', 'WRITE', 'WEBHOOK'].map((name) => [`RATE_LIMIT_${name}`, '1000000']),
);

export interface TestUser {
  id: string;
  clerkUserId: string;
  role: Role;
  token: string;
  auth: { Authorization: string };
}

/** One product's app, as a client sees it, plus what tests need to forge tokens and deliveries. */
export class ProductApp {
  readonly http: ReturnType<typeof request>;

  private constructor(
    readonly product: ProductName,
    readonly app: INestApplication,
    readonly config: AppConfig,
    readonly runtimeDatabaseUrl: string,
    readonly privateKey: KeyObject,
    readonly publicKeyPem: string,
    readonly webhookSecret: string,
  ) {
    this.http = request(app.getHttpServer());
  }

  /** `configure` adjusts the loaded config before the app is built (e.g. a log destination). */
  static async start(product: ProductName, env: NodeJS.ProcessEnv = {}, configure?: (config: AppConfig) => void): Promise<ProductApp> {
    const databaseUrl = process.env.TEST_DATABASE_URL;
    if (!databaseUrl) {
      throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (test/global-setup.mjs)');
    }
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const config = loadConfig({
      PRODUCT: product,
      DATABASE_URL: databaseUrl,
      CLERK_JWT_KEY: publicKeyPem,
      CLERK_WEBHOOK_SECRET: webhookSecret,
      ...GENEROUS_RATE_LIMITS,
      ...env,
    });
    configure?.(config);
    const runtimeUrl = await prepareDatabase(databaseUrl, product, quiet);
    const app = await createApp(config, runtimeUrl, false);
    await app.init();
    return new ProductApp(product, app, config, runtimeUrl, privateKey, publicKeyPem, webhookSecret);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  get orm(): MikroORM {
    return this.app.get(MikroORM);
  }

  /** A fresh EntityManager on this product's runtime connection. */
  em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Runs code as this product's request would: inside its tenant context. */
  inTenant<T>(work: () => Promise<T>, userId: string | null = null): Promise<T> {
    return runInTenant({ product: this.product, requestId: `test-${randomUUID()}`, userId }, work);
  }

  /**
   * A Clerk-like session token signed with this product's key. `kid` and `privateKey` override the
   * header's key id and the signing key (JWKS and wrong-key tests); the defaults are unchanged.
   */
  async token(
    claims: JWTPayload & { sub: string },
    options: { expiresIn?: string | number; notBefore?: string | number; kid?: string; privateKey?: KeyObject } = {},
  ): Promise<string> {
    const jwt = new SignJWT({ azp: 'http://localhost:3000', sid: `sess_${randomUUID()}`, ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? `ins_${this.product}` })
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m');
    if (options.notBefore !== undefined) {
      jwt.setNotBefore(options.notBefore);
    }
    return jwt.sign(options.privateKey ?? this.privateKey);
  }

  /** Headers of a Svix delivery signed with this product's secret (or the one given). */
  signWebhook(body: string, options: { id?: string; at?: Date; secret?: string } = {}): Record<string, string> {
    const id = options.id ?? `msg_${randomUUID()}`;
    const at = options.at ?? new Date();
    const signature = new Webhook(options.secret ?? this.webhookSecret).sign(id, at, body);
    return {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': signature,
      'content-type': 'application/json',
    };
  }

  sendWebhook(event: object, options: { id?: string; at?: Date; secret?: string } = {}): request.Test {
    const body = JSON.stringify(event);
    return this.http.post('/api/v1/webhooks/clerk').set(this.signWebhook(body, options)).send(body);
  }

  /**
   * A signed-in user of this product with the given role, created the way production creates one:
   * a Clerk `user.created` webhook (which carries the role), then a first sign-in.
   */
  async user(role: Role = 'user', profile: { email?: string; firstName?: string } = {}): Promise<TestUser> {
    const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
    const email = profile.email ?? `${clerkUserId}@${this.product}.test`;
    await this.sendWebhook(clerkUserCreated(clerkUserId, { email, role, firstName: profile.firstName })).expect(200);
    const token = await this.token({ sub: clerkUserId });
    const me = await this.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200);
    return { id: me.body.id, clerkUserId, role, token, auth: { Authorization: `Bearer ${token}` } };
  }
}

export function clerkUserCreated(
  clerkUserId: string,
  options: { email?: string; role?: string; firstName?: string; lastName?: string; type?: string } = {},
): object {
  const emailId = `idn_${randomUUID().replace(/-/g, '')}`;
  return {
    type: options.type ?? 'user.created',
    object: 'event',
    data: {
      id: clerkUserId,
      object: 'user',
      email_addresses: [
        { id: `idn_other${emailId}`, email_address: `secondary-${clerkUserId}@example.test` },
        { id: emailId, email_address: options.email ?? `${clerkUserId}@example.test` },
      ],
      primary_email_address_id: emailId,
      first_name: options.firstName ?? 'Test',
      last_name: options.lastName ?? 'User',
      public_metadata: options.role ? { role: options.role } : {},
    },
  };
}

/** Both products, live side by side on one database, as in production. */
export async function startBothProducts(env: Partial<Record<ProductName, NodeJS.ProcessEnv>> = {}): Promise<Record<ProductName, ProductApp>> {
  // Sequential: the second boot finds migrations applied (the advisory lock is tested elsewhere).
  const bestays = await ProductApp.start('bestays', env.bestays);
  const realestate = await ProductApp.start('realestate', env.realestate);
  return { bestays, realestate };
}

/** One signed-in user with `role` in each product. */
export async function oneInEach(apps: Record<ProductName, ProductApp>, role: Role): Promise<Record<ProductName, TestUser>> {
  return { bestays: await apps.bestays.user(role), realestate: await apps.realestate.user(role) };
}
