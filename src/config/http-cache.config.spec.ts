import { ConfigError, loadConfig } from './app-config';

describe('HTTP_CACHE_MAX_AGE', () => {
  it('defaults to 30 s, takes whole seconds, and 0 turns public caching off', () => {
    expect(loadConfig({}).httpCache).toEqual({ maxAge: 30 });
    expect(loadConfig({ HTTP_CACHE_MAX_AGE: '120' }).httpCache).toEqual({ maxAge: 120 });
    expect(loadConfig({ HTTP_CACHE_MAX_AGE: '0' }).httpCache).toEqual({ maxAge: 0 });
  });

  it.each(['-1', '1.5', 'abc', '1e3', '99999999999', '31536001'])('stops the process naming the variable for %s', (value) => {
    expect(() => loadConfig({ HTTP_CACHE_MAX_AGE: value })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_CACHE_MAX_AGE: value })).toThrow(/HTTP_CACHE_MAX_AGE/);
  });
});
