import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { ProductApp, useBothProducts } from './harness/product-app';
import { base64url, bearer, ME, newClerkId, nowSeconds, unauthorized, userRows } from './harness/clerk';

describe('Clerk session tokens (GET /api/v1/users/me)', () => {
  const apps = useBothProducts();
  let bestays: ProductApp;
  let realestate: ProductApp;

  beforeAll(() => {
    ({ bestays, realestate } = apps);
  });

  describe('valid tokens', () => {
    it('answers the caller with exactly the contract fields', async () => {
      const user = await bestays.user('agent', { email: 'me@bestays.test', firstName: 'Mia' });
      const response = await bestays.http.get(ME).set(user.auth).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['clerkUserId', 'createdAt', 'email', 'firstName', 'id', 'lastName', 'role']);
      expect(response.body).toEqual({
        id: user.id,
        clerkUserId: user.clerkUserId,
        email: 'me@bestays.test',
        firstName: 'Mia',
        lastName: 'User',
        role: 'agent',
        createdAt: expect.any(String),
      });
      expect(response.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(response.body.createdAt as string).toISOString()).toBe(response.body.createdAt);
      expect(response.headers['x-product']).toBe('bestays');
    });

    it('creates an unknown user just in time with role user, once', async () => {
      const sub = newClerkId();
      const token = await realestate.token({ sub });
      const first = await realestate.http.get(ME).set(bearer(token)).expect(200);
      expect(first.body).toMatchObject({ clerkUserId: sub, role: 'user', email: null, firstName: null, lastName: null });
      const second = await realestate.http.get(ME).set(bearer(await realestate.token({ sub }))).expect(200);
      expect(second.body.id).toBe(first.body.id);
      expect(await userRows(realestate, sub)).toHaveLength(1);
      // Only in the product whose token it was.
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    it('creates one user for 20 concurrent first requests of a new sub', async () => {
      const sub = newClerkId();
      const token = await bestays.token({ sub });
      const responses = await Promise.all(Array.from({ length: 20 }, () => bestays.http.get(ME).set(bearer(token))));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      const ids = new Set(responses.map((response) => response.body.id as string));
      expect(ids.size).toBe(1);
      expect(await userRows(bestays, sub)).toHaveLength(1);
    });

    it('answers concurrent first requests of different users each with their own identity', async () => {
      // The slow path (just-in-time creation) of many callers at once: no request may get another's user.
      const subs = Array.from({ length: 12 }, () => newClerkId());
      const existing = await Promise.all([bestays.user('admin'), bestays.user('agent')]);
      const calls = [
        ...(await Promise.all(subs.map(async (sub) => ({ sub, token: await bestays.token({ sub }) })))),
        ...existing.map((user) => ({ sub: user.clerkUserId, token: user.token })),
      ];
      const responses = await Promise.all(calls.map((call) => bestays.http.get(ME).set(bearer(call.token))));
      responses.forEach((response, index) => {
        expect(response.status).toBe(200);
        expect(response.body.clerkUserId).toBe(calls[index].sub);
      });
      expect(new Set(responses.map((response) => response.body.id as string)).size).toBe(calls.length);
      expect(responses.slice(-2).map((response) => response.body.role)).toEqual(['admin', 'agent']);
    });

    it('accepts a token that expired 3 s ago (5 s leeway)', async () => {
      const token = await bestays.token({ sub: newClerkId() }, { expiresIn: nowSeconds() - 3 });
      await bestays.http.get(ME).set(bearer(token)).expect(200);
    });

    it('accepts a token whose nbf is 2 s ahead (5 s leeway)', async () => {
      const token = await bestays.token({ sub: newClerkId() }, { notBefore: nowSeconds() + 2 });
      await bestays.http.get(ME).set(bearer(token)).expect(200);
    });
  });

  describe('rejected tokens: 401 in the contract shape', () => {
    async function expectRejected(app: ProductApp, headers: Record<string, string>): Promise<void> {
      const response = await app.http.get(ME).set(headers).set('X-Request-Id', 'auth-check').expect(401);
      expect(response.body).toEqual({ ...unauthorized, requestId: 'auth-check' });
      expect(response.headers['x-product']).toBe(app.product);
    }

    it('rejects a token signed by the other product’s key, creating no user anywhere', async () => {
      const sub = newClerkId();
      await expectRejected(bestays, bearer(await realestate.token({ sub })));
      await expectRejected(realestate, bearer(await bestays.token({ sub, iss: undefined }, { kid: 'ins_realestate' })));
      expect(await userRows(bestays, sub)).toHaveLength(0);
      expect(await userRows(realestate, sub)).toHaveLength(0);
    });

    it('rejects an expired token (beyond the leeway)', async () => {
      const sub = newClerkId();
      await expectRejected(bestays, bearer(await bestays.token({ sub }, { expiresIn: nowSeconds() - 10 })));
      await expectRejected(bestays, bearer(await bestays.token({ sub }, { expiresIn: nowSeconds() - 3600 })));
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    // A verified token is remembered for a minute (its signature cannot change), never past its exp.
    it('rejects a token it accepted before, once it has expired beyond the leeway', async () => {
      const sub = newClerkId();
      const expiresAt = nowSeconds() + 2;
      const token = await bestays.token({ sub }, { expiresIn: expiresAt });
      await bestays.http.get(ME).set(bearer(token)).expect(200);
      await bestays.http.get(ME).set(bearer(token)).expect(200);
      await new Promise((resolve) => setTimeout(resolve, (expiresAt + 6) * 1000 - Date.now()));
      await expectRejected(bestays, bearer(token));
    }, 20_000);

    it('does not let in a token whose signature differs from one it accepted (same header and claims)', async () => {
      const { token } = await bestays.user('user');
      await bestays.http.get(ME).set(bearer(token)).expect(200);
      const [header, payload, signature] = token.split('.');
      const other = Buffer.from(signature, 'base64url');
      other[0] ^= 0xff;
      await expectRejected(bestays, bearer(`${header}.${payload}.${other.toString('base64url')}`));
      await expectRejected(bestays, bearer(`${header}.${payload}.${signature}x`));
      await bestays.http.get(ME).set(bearer(token)).expect(200);
    });

    it('rejects a token that is not valid yet (nbf 60 s ahead)', async () => {
      const sub = newClerkId();
      await expectRejected(bestays, bearer(await bestays.token({ sub }, { notBefore: nowSeconds() + 60 })));
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    it.each([
      ['no Authorization header', {}],
      ['an empty Bearer token', { Authorization: 'Bearer ' }],
      ['Bearer alone', { Authorization: 'Bearer' }],
      ['a garbage token', { Authorization: 'Bearer not-a-jwt' }],
      ['three garbage segments', { Authorization: 'Bearer aaa.bbb.ccc' }],
      ['a token without the Bearer scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty Authorization header', { Authorization: '' }],
    ])('rejects %s', async (_label, headers: Record<string, string>) => {
      await expectRejected(bestays, headers);
    });

    it('rejects a token with the JWT in a non-Bearer scheme', async () => {
      const token = await bestays.token({ sub: newClerkId() });
      await expectRejected(bestays, { Authorization: `Token ${token}` });
    });

    it('rejects an unsigned alg:none token', async () => {
      const sub = newClerkId();
      const payload = { sub, iat: nowSeconds(), exp: nowSeconds() + 300, azp: 'http://localhost:3000' };
      await expectRejected(bestays, bearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`));
      await expectRejected(bestays, bearer(`${base64url({ alg: 'none', typ: 'JWT', kid: 'ins_bestays' })}.${base64url(payload)}.`));
      // A real token with its signature stripped.
      const [header, body] = (await bestays.token({ sub })).split('.');
      await expectRejected(bestays, bearer(`${header}.${body}.`));
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    it('rejects HS256 signed with the PEM public key as the HMAC secret (key confusion)', async () => {
      const sub = newClerkId();
      const payload = { sub, iat: nowSeconds(), exp: nowSeconds() + 300, azp: 'http://localhost:3000' };
      for (const secret of [bestays.publicKeyPem, bestays.publicKeyPem.trim()]) {
        const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: 'ins_bestays' })}.${base64url(payload)}`;
        const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
        await expectRejected(bestays, bearer(`${signingInput}.${signature}`));
      }
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    it('rejects a token signed with a brand-new RSA key under the right kid', async () => {
      const sub = newClerkId();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectRejected(bestays, bearer(await bestays.token({ sub }, { privateKey, kid: 'ins_bestays' })));
      expect(await userRows(bestays, sub)).toHaveLength(0);
    });

    it('rejects a token whose payload was altered after signing', async () => {
      const victim = await bestays.user('user');
      const [header, , signature] = victim.token.split('.');
      const forged = base64url({ sub: victim.clerkUserId, role: 'admin', exp: nowSeconds() + 3600 });
      await expectRejected(bestays, bearer(`${header}.${forged}.${signature}`));
    });

    it('rejects a token without sub, or with an empty sub', async () => {
      const noSub = await new SignJWT({ azp: 'http://localhost:3000' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'ins_bestays' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(bestays.privateKey);
      await expectRejected(bestays, bearer(noSub));
      await expectRejected(bestays, bearer(await bestays.token({ sub: '' })));
      const numericSub = await new SignJWT({ sub: 42 as unknown as string })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'ins_bestays' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(bestays.privateKey);
      await expectRejected(bestays, bearer(numericSub));
    });
  });

});
