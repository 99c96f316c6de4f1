import { ConfigError, loadConfig } from './app-config';

function failure(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('operations config (logs, metrics, limits, guard rails)', () => {
  it('has working defaults', () => {
    const { ops } = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db.internal/platform' });
    expect(ops).toMatchObject({
      log: { level: 'info', pretty: false },
      metricsPort: undefined,
      trustProxy: false,
      redisUrl: undefined,
      requestTimeoutMs: 30_000,
      maxInFlight: 512,
      shutdownTimeoutMs: 10_000,
    });
    expect(ops.rateLimits.chat).toEqual({ limit: 10, windowMs: 60_000 });
    expect(ops.rateLimits.webhook.limit).toBeGreaterThan(ops.rateLimits.write.limit);
  });

  it('reads limits as "<requests>" or "<requests>/<seconds>", and the other variables', () => {
    const { ops } = loadConfig({
      RATE_LIMIT_CHAT: '3/10',
      RATE_LIMIT_READ: '500',
      RATE_LIMIT_WINDOW_SECONDS: '30',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'pretty',
      METRICS_PORT: '9464',
      TRUST_PROXY: '1',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(ops.rateLimits.chat).toEqual({ limit: 3, windowMs: 10_000 });
    expect(ops.rateLimits.read).toEqual({ limit: 500, windowMs: 30_000 });
    expect(ops).toMatchObject({ log: { level: 'debug', pretty: true }, metricsPort: 9464, trustProxy: 1, redisUrl: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).ops.trustProxy).toBe('loopback, 10.0.0.0/8');
  });

  it.each([
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ RATE_LIMIT_CHAT: 'ten' }, 'RATE_LIMIT_CHAT'],
    [{ RATE_LIMIT_SEARCH: '0' }, 'RATE_LIMIT_SEARCH'],
    [{ RATE_LIMIT_WEBHOOK: '5/0' }, 'RATE_LIMIT_WEBHOOK'],
    [{ REQUEST_TIMEOUT_MS: '-1' }, 'REQUEST_TIMEOUT_MS'],
    [{ MAX_IN_FLIGHT: '0' }, 'MAX_IN_FLIGHT'],
    [{ SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS'],
  ])('stops the process naming the variable: %j', (env, name) => {
    expect(failure(env)).toContain(name);
  });
});
