import { ConfigError } from './app-config';

/** How the process reaches PostgreSQL besides DATABASE_URL (see README, "Deployment"). */
export interface ConnectionsConfig {
  /** Direct owner connection for migrations, the advisory lock and role provisioning; default DATABASE_URL. */
  migrationUrl?: string;
  /** Streaming replicas for read-only queries (runtime role credentials on each); empty means none. */
  replicaUrls: string[];
  /** Runtime-role passwords by product, from RUNTIME_ROLE_PASSWORD_<PRODUCT>; unset ones are derived. */
  runtimeRolePasswords: Record<string, string>;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

function postgresUrl(name: string, value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  if (!POSTGRES_URL.test(trimmed)) {
    throw new ConfigError(`${name} must be a postgres:// connection string`);
  }
  return trimmed;
}

export function runtimeRolePasswordVariable(product: string): string {
  return `RUNTIME_ROLE_PASSWORD_${product.toUpperCase()}`;
}

export function loadConnectionsConfig(env: NodeJS.ProcessEnv, allowedProducts: string[]): ConnectionsConfig {
  // The embedded database is for development and tests: production must say where its data lives.
  if (env.NODE_ENV === 'production' && !env.DATABASE_URL?.trim()) {
    throw new ConfigError(
      'DATABASE_URL must be set when NODE_ENV=production (the embedded PostgreSQL is for development and tests only)',
    );
  }
  const migrationUrl = postgresUrl('MIGRATION_DATABASE_URL', env.MIGRATION_DATABASE_URL);
  if (migrationUrl !== undefined && !env.DATABASE_URL?.trim()) {
    throw new ConfigError('MIGRATION_DATABASE_URL is set but DATABASE_URL is not: set both, or neither for the embedded database');
  }
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((item, index) => postgresUrl(`DATABASE_REPLICA_URLS (item ${index + 1})`, item))
    .filter((item): item is string => item !== undefined);
  if (replicaUrls.length > 0 && !env.DATABASE_URL?.trim()) {
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL (replicas follow a primary you run)');
  }
  const runtimeRolePasswords: Record<string, string> = {};
  for (const product of allowedProducts) {
    const password = env[runtimeRolePasswordVariable(product)];
    if (password !== undefined && password.length > 0) {
      if (password.length < 16) {
        throw new ConfigError(`${runtimeRolePasswordVariable(product)} must be at least 16 characters`);
      }
      runtimeRolePasswords[product] = password;
    }
  }
  return { migrationUrl, replicaUrls, runtimeRolePasswords };
}
