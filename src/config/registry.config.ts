import { ConfigError } from './app-config';

/** Per-product settings an operator can set in the registry (`npm run products -- set-secret`). */
export const PRODUCT_SETTINGS = [
  'LLM_API_KEY',
  'LLM_BASE_URL',
  'LLM_MODEL',
  'EMBEDDINGS_API_KEY',
  'EMBEDDINGS_BASE_URL',
  'EMBEDDINGS_MODEL',
] as const;
export type ProductSettingName = (typeof PRODUCT_SETTINGS)[number];

export interface SecretsKey {
  id: string;
  key: Buffer;
}

export interface RegistryConfig {
  /** SECRETS_KEYS: the first key encrypts, all decrypt. */
  secretsKeys: SecretsKey[];
  /** Settings set in the environment; each wins over the registry's value. */
  envSettings: Partial<Record<ProductSettingName, string>>;
  retention: { analyticsQueryDays: number; webhookPayloadDays: number; conversationDays: number };
  clerkSecretKey?: string;
  clerkApiUrl: string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseSecretsKeys(value: string | undefined): SecretsKey[] {
  const keys: SecretsKey[] = [];
  for (const entry of (value ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (!KEY_ID.test(id) || key.length !== 32) {
      throw new ConfigError('SECRETS_KEYS must be kid:base64key[,kid:base64key...] with 32-byte (AES-256) keys');
    }
    if (keys.some((k) => k.id === id)) {
      throw new ConfigError(`SECRETS_KEYS names key id "${id}" twice`);
    }
    keys.push({ id, key });
  }
  return keys;
}

function days(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) {
    return fallback;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 36_500) {
    throw new ConfigError(`${name}="${text}" must be a whole number of days (1-36500)`);
  }
  return value;
}

export function loadRegistryConfig(env: NodeJS.ProcessEnv): RegistryConfig {
  const envSettings: RegistryConfig['envSettings'] = {};
  for (const name of PRODUCT_SETTINGS) {
    const value = env[name]?.trim();
    if (value) {
      envSettings[name] = value;
    }
  }
  const clerkApiUrl = env.CLERK_API_URL?.trim() || 'https://api.clerk.com';
  if (!/^https?:\/\//.test(clerkApiUrl)) {
    throw new ConfigError('CLERK_API_URL must be an http(s) URL');
  }
  return {
    secretsKeys: parseSecretsKeys(env.SECRETS_KEYS),
    envSettings,
    retention: {
      analyticsQueryDays: days(env, 'RETENTION_ANALYTICS_QUERIES_DAYS', 90),
      webhookPayloadDays: days(env, 'RETENTION_WEBHOOK_PAYLOADS_DAYS', 30),
      conversationDays: days(env, 'RETENTION_CONVERSATIONS_DAYS', 365),
    },
    clerkSecretKey: env.CLERK_SECRET_KEY?.trim() || undefined,
    clerkApiUrl: clerkApiUrl.replace(/\/+$/, ''),
  };
}
