import { type HttpCacheConfig, loadHttpCacheConfig } from './http-cache.config';
import { type ConnectionsConfig, loadConnectionsConfig } from './connections.config';
import { type AssistantConfig, loadAssistantConfig } from './assistant.config';
import { loadRegistryConfig, type RegistryConfig } from './registry.config';
import { loadResilienceConfig, type ResilienceConfig } from './resilience.config';
import { loadOpsConfig, type OpsConfig } from './ops.config';

export interface AppConfig {
  product: string;
  allowedProducts: string[];
  port: number;
  /** Owner/admin connection; undefined means "start an embedded PostgreSQL". */
  databaseUrl?: string;
  /** Where the embedded PostgreSQL keeps its data (default: .data/postgres in the project). */
  embeddedDataDir?: string;
  connections: ConnectionsConfig;
  clerk: {
    jwtKey?: string;
    jwksUrl?: string;
    issuer?: string;
    authorizedParties?: string[];
    webhookSecret?: string;
  };
  corsOrigins: string[];
  embeddings: { baseUrl?: string; apiKey?: string; model: string };
  llm: { baseUrl?: string; apiKey?: string; model: string };
  httpCache: HttpCacheConfig;
  assistant: AssistantConfig;
  /** Product registry: secrets keys, env overrides, retention, Clerk Backend API (see registry.config.ts). */
  registry: RegistryConfig;
  resilience: ResilienceConfig;
  ops: OpsConfig;
  /** Logged once at boot, e.g. the PRODUCT default. */
  warnings: string[];
}

export class ConfigError extends Error {}

const PRODUCT_NAME = /^[a-z][a-z0-9_]{0,49}$/;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

// Validated once at boot; a bad variable stops the process with a message that names it.
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const warnings: string[] = [];
  const allowedProducts = list(env.ALLOWED_PRODUCTS ?? 'bestays,realestate');
  if (allowedProducts.length === 0) {
    throw new ConfigError('ALLOWED_PRODUCTS must name at least one product');
  }
  for (const name of allowedProducts) {
    if (!PRODUCT_NAME.test(name)) {
      throw new ConfigError(`ALLOWED_PRODUCTS contains "${name}": product names are lowercase letters, digits and _`);
    }
  }

  let product = optional(env.PRODUCT);
  if (product === undefined) {
    product = 'bestays';
    warnings.push('PRODUCT is not set: serving "bestays"');
  }
  // Never fall back to another product's data: an unknown product stops the process.
  if (!allowedProducts.includes(product)) {
    throw new ConfigError(
      `PRODUCT="${product}" is not allowed; allowed values (ALLOWED_PRODUCTS): ${allowedProducts.join(', ')}`,
    );
  }

  const portText = optional(env.PORT) ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT="${portText}" is not a valid TCP port`);
  }

  const jwtKey = optional(env.CLERK_JWT_KEY)?.replace(/\\n/g, '\n');
  if (jwtKey !== undefined && !jwtKey.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigError('CLERK_JWT_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  const jwksUrl = optional(env.CLERK_JWKS_URL);
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl)) {
    throw new ConfigError('CLERK_JWKS_URL must be an http(s) URL');
  }
  const webhookSecret = optional(env.CLERK_WEBHOOK_SECRET);
  if (webhookSecret !== undefined && !webhookSecret.startsWith('whsec_')) {
    throw new ConfigError('CLERK_WEBHOOK_SECRET must be a Svix signing secret (whsec_...)');
  }
  if (jwtKey === undefined && jwksUrl === undefined) {
    warnings.push('neither CLERK_JWT_KEY nor CLERK_JWKS_URL is set: authenticated routes answer 401');
  }

  const databaseUrl = optional(env.DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// connection string');
  }

  const authorizedParties = list(env.CLERK_AUTHORIZED_PARTIES);
  return {
    product,
    allowedProducts,
    port,
    databaseUrl,
    embeddedDataDir: optional(env.EMBEDDED_PG_DATA_DIR),
    connections: loadConnectionsConfig(env, allowedProducts),
    clerk: {
      jwtKey,
      jwksUrl,
      issuer: optional(env.CLERK_ISSUER),
      authorizedParties: authorizedParties.length > 0 ? authorizedParties : undefined,
      webhookSecret,
    },
    corsOrigins: list(env.CORS_ORIGINS),
    embeddings: {
      baseUrl: optional(env.EMBEDDINGS_BASE_URL),
      apiKey: optional(env.EMBEDDINGS_API_KEY),
      model: optional(env.EMBEDDINGS_MODEL) ?? 'text-embedding-3-small',
    },
    llm: {
      baseUrl: optional(env.LLM_BASE_URL),
      apiKey: optional(env.LLM_API_KEY),
      model: optional(env.LLM_MODEL) ?? 'gpt-4o-mini',
    },
    httpCache: loadHttpCacheConfig(env),
    assistant: loadAssistantConfig(env),
    registry: loadRegistryConfig(env),
    resilience: loadResilienceConfig(env),
    ops: loadOpsConfig(env, (message) => new ConfigError(message)),
    warnings,
  };
}
