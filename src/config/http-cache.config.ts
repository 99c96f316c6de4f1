import { ConfigError } from './app-config';

export interface HttpCacheConfig {
  /** max-age (seconds) of public GET responses; 0 turns public caching (and ETag 304s) off. */
  maxAge: number;
}

const MAX = 31_536_000; // one year, the longest max-age caches honour

export function loadHttpCacheConfig(env: NodeJS.ProcessEnv): HttpCacheConfig {
  const text = env.HTTP_CACHE_MAX_AGE?.trim() || '30';
  if (!/^\d{1,8}$/.test(text) || Number(text) > MAX) {
    throw new ConfigError(`HTTP_CACHE_MAX_AGE="${text}" must be a whole number of seconds from 0 to ${MAX}`);
  }
  return { maxAge: Number(text) };
}
