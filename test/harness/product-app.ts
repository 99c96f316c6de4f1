import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { SignJWT, type JWTPayload } from 'jose';
import request from 'supertest';
import { Webhook } from 'svix';
import { createApp } from '../../src/app.setup';
import { openApiDocumentOf } from '../../src/common/openapi';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { type Role } from '../../src/users/roles';
import { prepareDatabase } from '../../src/database/migrate';
import { runInTenant } from '../../src/tenancy/tenant-context';
import { OpenApiValidator } from './openapi-validator';

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
    this.http = checkedAgainstTheDocument(request(app.getHttpServer()), new OpenApiValidator(openApiDocumentOf(app)));
  }

  /**
   * `target`: another database's owner URL (default: env.DATABASE_URL, else this run's test
   * database), or a function that adjusts the loaded config before the app is built (e.g. a log destination).
   */
  static async start(product: ProductName, env: NodeJS.ProcessEnv = {}, target?: string | ((config: AppConfig) => void)): Promise<ProductApp> {
    const databaseUrl = typeof target === 'string' ? target : (env.DATABASE_URL ?? process.env.TEST_DATABASE_URL);
    const configure = typeof target === 'function' ? target : undefined;
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
    // TEST_RUNTIME_DATABASE_URL (npm run test:pgbouncer): the runtime pool goes through PgBouncer, migrations stay direct.
    const runtimeUrl = await prepareDatabase(databaseUrl, product, quiet, {
      runtimeUrl: databaseUrl === process.env.TEST_DATABASE_URL ? process.env.TEST_RUNTIME_DATABASE_URL : undefined,
      runtimePassword: config.connections.runtimeRolePasswords[product],
      allowedProducts: config.allowedProducts,
      sessionLimits: config.resilience.database,
    });
    const app = await createApp(config, runtimeUrl, false);
    // A boot that fails (tests provoke some) must not leave its database pool open.
    await app.init().catch(async (error: unknown) => {
      await app.close().catch(() => undefined);
      throw error;
    });
    return new ProductApp(product, app, config, runtimeUrl, privateKey, publicKeyPem, config.clerk.webhookSecret ?? webhookSecret);
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

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * The one place the suite checks the API against its OpenAPI document: every request made through
 * `ProductApp.http` fails its test when the answer's status is not documented for the operation, or
 * its body does not validate against the documented schema.
 */
function checkedAgainstTheDocument(agent: ReturnType<typeof request>, validator: OpenApiValidator): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !VERBS.has(property) || typeof value !== 'function') {
        return value;
      }
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (url: string, ...rest: unknown[]) => request.Test).call(target, url, ...rest);
        const end = test.end.bind(test);
        test.end = (callback?: (error: unknown, response: request.Response) => void) =>
          end((error: unknown, response: request.Response) => {
            const problem = response
              ? validator.check(property, url, response.status, response.headers, response.body, response.text)
              : undefined;
            const failure = problem ? new Error(error instanceof Error ? `${error.message}\n${problem}` : problem) : error;
            callback?.(failure, response);
          });
        return test;
      };
    },
  });
}

/** Both products, live side by side on one database, as in production. */
export async function startBothProducts(env: Partial<Record<ProductName, NodeJS.ProcessEnv>> = {}): Promise<Record<ProductName, ProductApp>> {
  // Sequential: the second boot finds migrations applied (the advisory lock is tested elsewhere).
  const bestays = await ProductApp.start('bestays', env.bestays);
  const realestate = await ProductApp.start('realestate', env.realestate);
  return { bestays, realestate };
}

/**
 * Both products for the enclosing describe block: started in a beforeAll, closed in an afterAll.
 * The returned object is filled in when the block starts, so later beforeAll hooks and the tests
 * can use it (`const apps = useBothProducts();` then `apps.bestays`).
 */
export function useBothProducts(env: Partial<Record<ProductName, NodeJS.ProcessEnv>> = {}): Record<ProductName, ProductApp> {
  const apps = {} as Record<ProductName, ProductApp>;
  beforeAll(async () => {
    Object.assign(apps, await startBothProducts(env));
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app.close()));
  });
  return apps;
}

/** One product's app for the enclosing describe block (see useBothProducts); read it with `app()`. */
export function useProductApp(product: ProductName, env: NodeJS.ProcessEnv = {}): () => ProductApp {
  let app: ProductApp | undefined;
  beforeAll(async () => {
    app = await ProductApp.start(product, env);
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) {
      throw new Error(`the ${product} app has not started (use it inside tests or hooks)`);
    }
    return app;
  };
}

/** One signed-in user with `role` in each product. */
export async function oneInEach(apps: Record<ProductName, ProductApp>, role: Role): Promise<Record<ProductName, TestUser>> {
  return { bestays: await apps.bestays.user(role), realestate: await apps.realestate.user(role) };
}
