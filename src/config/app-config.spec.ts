import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('with an empty environment: bestays on 3000, both products allowed, embedded database, no Clerk, no CORS', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({
        product: 'bestays',
        allowedProducts: ['bestays', 'realestate'],
        port: 3000,
        databaseUrl: undefined,
        clerk: { jwtKey: undefined, jwksUrl: undefined, issuer: undefined, authorizedParties: undefined, webhookSecret: undefined },
        corsOrigins: [],
      });
    });

    it('warns that authenticated routes answer 401 when neither Clerk key source is set', () => {
      expect(loadConfig({ PRODUCT: 'bestays' }).warnings).toEqual([expect.stringMatching(/CLERK_JWT_KEY.*CLERK_JWKS_URL.*401/)]);
      expect(loadConfig({ PRODUCT: 'bestays', CLERK_JWT_KEY: pem }).warnings).toEqual([]);
      expect(loadConfig({ PRODUCT: 'bestays', CLERK_JWKS_URL: 'https://clerk.example.test/.well-known/jwks.json' }).warnings).toEqual([]);
    });

    it('treats blank values as unset', () => {
      const config = loadConfig({ PRODUCT: '  ', PORT: '', DATABASE_URL: ' ', CLERK_JWT_KEY: '', CLERK_WEBHOOK_SECRET: ' ', CORS_ORIGINS: '' });
      expect(config).toMatchObject({ product: 'bestays', port: 3000, databaseUrl: undefined, corsOrigins: [] });
      expect(config.clerk.jwtKey).toBeUndefined();
      expect(config.clerk.webhookSecret).toBeUndefined();
    });
  });

  describe('PRODUCT', () => {
    it('unset: serves bestays with a warning that names PRODUCT', () => {
      const config = loadConfig({ CLERK_JWT_KEY: pem });
      expect(config.product).toBe('bestays');
      expect(config.warnings).toEqual([expect.stringMatching(/PRODUCT is not set.*bestays/)]);
    });

    it.each(['bestays', 'realestate'])('%s is accepted without a warning', (product) => {
      const config = loadConfig({ PRODUCT: product, CLERK_JWT_KEY: pem });
      expect(config.product).toBe(product);
      expect(config.warnings).toEqual([]);
    });

    it.each(['nosuch', 'Bestays', 'BESTAYS', 'bestays ', 'realestate,bestays', "bestays'; drop table users; --"])(
      '%p is an error that names PRODUCT and the allowed values',
      (product) => {
        if (product.trim() === 'bestays') {
          // Surrounding whitespace is trimmed like every other variable.
          expect(loadConfig({ PRODUCT: product }).product).toBe('bestays');
          return;
        }
        const error = configError({ PRODUCT: product });
        expect(error.message).toContain('PRODUCT');
        expect(error.message).toContain('bestays');
        expect(error.message).toContain('realestate');
      },
    );

    it('never falls back to a default for an unknown product', () => {
      expect(() => loadConfig({ PRODUCT: 'other', ALLOWED_PRODUCTS: 'bestays' })).toThrow(ConfigError);
    });
  });

  describe('ALLOWED_PRODUCTS', () => {
    it('a third product is configuration only', () => {
      const config = loadConfig({ PRODUCT: 'villas', ALLOWED_PRODUCTS: 'bestays, realestate ,villas,' });
      expect(config.product).toBe('villas');
      expect(config.allowedProducts).toEqual(['bestays', 'realestate', 'villas']);
    });

    it('the error for a product outside the list names the whole list', () => {
      const error = configError({ PRODUCT: 'nosuch', ALLOWED_PRODUCTS: 'bestays,realestate,villas' });
      expect(error.message).toMatch(/PRODUCT/);
      for (const product of ['bestays', 'realestate', 'villas']) {
        expect(error.message).toContain(product);
      }
    });

    it('restricting the list excludes the default product too', () => {
      expect(configError({ ALLOWED_PRODUCTS: 'realestate' }).message).toMatch(/PRODUCT.*realestate/);
      expect(loadConfig({ ALLOWED_PRODUCTS: 'realestate', PRODUCT: 'realestate' }).product).toBe('realestate');
    });

    it.each(['', ' , ', 'Bestays', 'best-ays', '1bestays', 'a'.repeat(51), 'bestays,real estate'])('%p is an error naming ALLOWED_PRODUCTS', (value) => {
      expect(configError({ ALLOWED_PRODUCTS: value, PRODUCT: 'bestays' }).message).toContain('ALLOWED_PRODUCTS');
    });
  });

  describe('PORT', () => {
    it.each([
      ['8011', 8011],
      ['0', 0],
      ['65535', 65535],
      [' 8012 ', 8012],
    ])('%p is port %p', (value, port) => {
      expect(loadConfig({ PORT: value }).port).toBe(port);
    });

    it.each(['abc', '-1', '65536', '80.5', '3000abc', '1e3x', 'NaN'])('%p is an error naming PORT', (value) => {
      expect(configError({ PORT: value }).message).toContain('PORT');
    });
  });

  describe('Clerk', () => {
    it('accepts a PEM public key, also with escaped newlines (as .env files carry it)', () => {
      expect(loadConfig({ CLERK_JWT_KEY: pem }).clerk.jwtKey).toBe(pem.trim());
      const escaped = pem.trim().replace(/\n/g, '\\n');
      expect(loadConfig({ CLERK_JWT_KEY: escaped }).clerk.jwtKey).toBe(pem.trim());
    });

    it.each(['not a key', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----'])(
      'CLERK_JWT_KEY=%p is an error naming CLERK_JWT_KEY',
      (value) => {
        expect(configError({ CLERK_JWT_KEY: value }).message).toContain('CLERK_JWT_KEY');
      },
    );

    it('CLERK_JWKS_URL must be http(s)', () => {
      expect(loadConfig({ CLERK_JWKS_URL: 'https://clerk.example.test/.well-known/jwks.json' }).clerk.jwksUrl).toBe(
        'https://clerk.example.test/.well-known/jwks.json',
      );
      expect(configError({ CLERK_JWKS_URL: 'file:///etc/passwd' }).message).toContain('CLERK_JWKS_URL');
    });

    it('accepts a Svix secret and rejects anything else, naming CLERK_WEBHOOK_SECRET', () => {
      expect(loadConfig({ CLERK_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).clerk.webhookSecret).toBe(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      );
      for (const value of ['secret', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'WHSEC_abc', 'sk_test_abc']) {
        expect(configError({ CLERK_WEBHOOK_SECRET: value }).message).toContain('CLERK_WEBHOOK_SECRET');
      }
    });

    it('parses issuer and authorized parties', () => {
      const config = loadConfig({
        CLERK_ISSUER: 'https://clerk.example.test',
        CLERK_AUTHORIZED_PARTIES: 'https://a.example.test, https://b.example.test,,',
      });
      expect(config.clerk.issuer).toBe('https://clerk.example.test');
      expect(config.clerk.authorizedParties).toEqual(['https://a.example.test', 'https://b.example.test']);
      expect(loadConfig({ CLERK_AUTHORIZED_PARTIES: ' , ' }).clerk.authorizedParties).toBeUndefined();
    });
  });

  describe('DATABASE_URL', () => {
    it.each(['postgres://u:p@localhost:5432/db', 'postgresql://localhost/db'])('%p is accepted', (url) => {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    });

    it.each(['mysql://localhost/db', 'localhost:5432', 'db'])('%p is an error naming DATABASE_URL', (url) => {
      expect(configError({ DATABASE_URL: url }).message).toContain('DATABASE_URL');
    });
  });

  describe('CORS_ORIGINS', () => {
    it('is a trimmed, comma-separated list without empty entries', () => {
      expect(loadConfig({ CORS_ORIGINS: 'https://a.example.test, https://b.example.test ,,' }).corsOrigins).toEqual([
        'https://a.example.test',
        'https://b.example.test',
      ]);
      expect(loadConfig({ CORS_ORIGINS: 'http://localhost:5173' }).corsOrigins).toEqual(['http://localhost:5173']);
      expect(loadConfig({ CORS_ORIGINS: ' , ' }).corsOrigins).toEqual([]);
    });
  });

  it('reads only the environment it is given', () => {
    const saved = process.env.PRODUCT;
    process.env.PRODUCT = 'nosuch';
    try {
      expect(loadConfig({}).product).toBe('bestays');
    } finally {
      if (saved === undefined) {
        delete process.env.PRODUCT;
      } else {
        process.env.PRODUCT = saved;
      }
    }
  });
});
