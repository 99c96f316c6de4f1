import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import { ProductApp, useBothProducts } from './harness/product-app';
import { base64url, bearer, ME, newClerkId, nowSeconds, unauthorized, userRows } from './harness/clerk';

describe('Clerk session tokens: roles, issuer, parties and keys', () => {
  const apps = useBothProducts();
  let bestays: ProductApp;
  let realestate: ProductApp;

  beforeAll(() => {
    ({ bestays, realestate } = apps);
  });

  describe('roles', () => {
    it('answers 403 to user and agent on an admin route, 200 to admin', async () => {
      const [user, agent, admin] = await Promise.all([bestays.user('user'), bestays.user('agent'), bestays.user('admin')]);
      const forbidden = await bestays.http.get('/api/v1/users').set(user.auth).set('X-Request-Id', 'role-check').expect(403);
      expect(forbidden.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.any(String), requestId: 'role-check' });
      await bestays.http.get('/api/v1/users').set(agent.auth).expect(403);
      await bestays.http.get(`/api/v1/users/${admin.id}`).set(agent.auth).expect(403);
      await bestays.http.get('/api/v1/admin/audit-log').set(agent.auth).expect(403);
      const list = await bestays.http.get('/api/v1/users').set(admin.auth).expect(200);
      expect(list.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number), limit: 20, offset: 0 });
      // Without a token the admin route is 401, not 403.
      await bestays.http.get('/api/v1/users').expect(401);
    });

    it('takes a role an admin gives effect on the next request', async () => {
      const [user, admin] = await Promise.all([realestate.user('user'), realestate.user('admin')]);
      await realestate.http.get('/api/v1/users').set(user.auth).expect(403);
      await realestate.http.patch(`/api/v1/users/${user.id}/role`).set(admin.auth).send({ role: 'admin' }).expect(200);
      await realestate.http.get('/api/v1/users').set(user.auth).expect(200);
    });

    it('is not fooled by a role claim in the token', async () => {
      const token = await bestays.token({ sub: newClerkId(), role: 'admin', public_metadata: { role: 'admin' } });
      await bestays.http.get('/api/v1/users').set(bearer(token)).expect(403);
    });

    it('never lets an admin of one product into the other', async () => {
      const admin = await bestays.user('admin');
      await realestate.http.get('/api/v1/users').set(admin.auth).expect(401);
    });
  });

  describe('issuer and authorized parties', () => {
    let withIssuer: ProductApp;
    let withParties: ProductApp;

    beforeAll(async () => {
      [withIssuer, withParties] = await Promise.all([
        ProductApp.start('bestays', { CLERK_ISSUER: 'https://clerk.bestays.test' }),
        ProductApp.start('bestays', { CLERK_AUTHORIZED_PARTIES: 'https://app.bestays.test, https://admin.bestays.test' }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([withIssuer?.close(), withParties?.close()]);
    });

    it('accepts the configured iss and rejects a wrong or missing one', async () => {
      await withIssuer.http.get(ME).set(bearer(await withIssuer.token({ sub: newClerkId(), iss: 'https://clerk.bestays.test' }))).expect(200);
      const wrong = await withIssuer.http
        .get(ME)
        .set(bearer(await withIssuer.token({ sub: newClerkId(), iss: 'https://clerk.realestate.test' })))
        .expect(401);
      expect(wrong.body).toEqual(unauthorized);
      await withIssuer.http.get(ME).set(bearer(await withIssuer.token({ sub: newClerkId() }))).expect(401);
      await withIssuer.http
        .get(ME)
        .set(bearer(await withIssuer.token({ sub: newClerkId(), iss: 'https://clerk.bestays.test/' })))
        .expect(401);
    });

    it('accepts a configured azp and rejects another or a missing one', async () => {
      await withParties.http.get(ME).set(bearer(await withParties.token({ sub: newClerkId(), azp: 'https://app.bestays.test' }))).expect(200);
      await withParties.http.get(ME).set(bearer(await withParties.token({ sub: newClerkId(), azp: 'https://admin.bestays.test' }))).expect(200);
      const other = await withParties.http
        .get(ME)
        .set(bearer(await withParties.token({ sub: newClerkId(), azp: 'https://evil.test' })))
        .expect(401);
      expect(other.body).toEqual(unauthorized);
      // The harness's default azp (http://localhost:3000) is not configured here.
      await withParties.http.get(ME).set(bearer(await withParties.token({ sub: newClerkId() }))).expect(401);
      await withParties.http.get(ME).set(bearer(await withParties.token({ sub: newClerkId(), azp: undefined }))).expect(401);
    });

    it('checks neither iss nor azp when they are not configured', async () => {
      await bestays.http.get(ME).set(bearer(await bestays.token({ sub: newClerkId(), iss: 'https://anything.test', azp: 'https://any.test' }))).expect(200);
    });
  });

  describe('keys from a JWKS endpoint', () => {
    const kid = 'ins_bestays_jwks';
    let server: Server;
    let fetches = 0;
    let jwksApp: ProductApp;
    let privateKey: KeyObject;

    beforeAll(async () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
      server = createServer((request, response) => {
        if (request.url !== '/.well-known/jwks.json') {
          response.writeHead(404).end();
          return;
        }
        fetches += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      jwksApp = await ProductApp.start('bestays', {
        CLERK_JWT_KEY: '',
        CLERK_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      });
    });
    afterAll(async () => {
      await jwksApp?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('verifies with the key of the token’s kid and fetches the key set once', async () => {
      expect(jwksApp.config.clerk.jwtKey).toBeUndefined();
      expect(fetches).toBe(0);
      const sub = newClerkId();
      const first = await jwksApp.http.get(ME).set(bearer(await jwksApp.token({ sub }, { kid, privateKey }))).expect(200);
      expect(first.body).toMatchObject({ clerkUserId: sub, role: 'user' });
      for (let i = 0; i < 3; i += 1) {
        await jwksApp.http.get(ME).set(bearer(await jwksApp.token({ sub }, { kid, privateKey }))).expect(200);
      }
      const parallel = await Promise.all(
        Array.from({ length: 5 }, async () => jwksApp.http.get(ME).set(bearer(await jwksApp.token({ sub: newClerkId() }, { kid, privateKey })))),
      );
      expect(parallel.map((response) => response.status)).toEqual(Array(5).fill(200));
      expect(fetches).toBe(1);
    });

    it('rejects an unknown kid, a right kid with the wrong key, and HS256, without hammering the endpoint', async () => {
      const before = fetches;
      for (let i = 0; i < 5; i += 1) {
        const response = await jwksApp.http
          .get(ME)
          .set(bearer(await jwksApp.token({ sub: newClerkId() }, { kid: `ins_unknown_${i}`, privateKey })))
          .expect(401);
        expect(response.body).toEqual(unauthorized);
      }
      // Signed by the harness's own key (not in the key set) under the right kid.
      await jwksApp.http.get(ME).set(bearer(await jwksApp.token({ sub: newClerkId() }, { kid }))).expect(401);
      const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid })}.${base64url({ sub: newClerkId(), exp: nowSeconds() + 300 })}`;
      const hmac = createHmac('sha256', 'secret').update(signingInput).digest('base64url');
      await jwksApp.http.get(ME).set(bearer(`${signingInput}.${hmac}`)).expect(401);
      // A refetch for an unknown kid is rate-limited: at most one more request to the endpoint.
      expect(fetches - before).toBeLessThanOrEqual(1);
    });
  });

  describe('no key configured', () => {
    let keyless: ProductApp;

    beforeAll(async () => {
      keyless = await ProductApp.start('realestate', { CLERK_JWT_KEY: '', CLERK_JWKS_URL: '' });
    });
    afterAll(async () => {
      await keyless?.close();
    });

    it('answers 401 on authenticated routes, still serving public ones', async () => {
      expect(keyless.config.clerk.jwtKey).toBeUndefined();
      expect(keyless.config.clerk.jwksUrl).toBeUndefined();
      const sub = newClerkId();
      const response = await keyless.http.get(ME).set(bearer(await keyless.token({ sub }))).expect(401);
      expect(response.body).toEqual(unauthorized);
      await keyless.http.get('/api/v1/users').set(bearer(await keyless.token({ sub }))).expect(401);
      await keyless.http.get('/api/health').expect(200);
      expect(await userRows(keyless, sub)).toHaveLength(0);
    });
  });
});
