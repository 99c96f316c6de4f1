import { ownerQuery } from './harness/db';
import { type ProductName, DIRECTIONS } from './harness/product-app';
import { ISO_DATE, PROMPTS, schema, TOOLS, uniqueName, useChatConfigSuite, UUID } from './harness/chat-config-suite';

describe('chat config: tools, products, access and audit', () => {
  const { apps, admin, agent, user, createPrompt, createTool, allIds, activeContent } = useChatConfigSuite();
  const directions = DIRECTIONS;

  describe('tools', () => {
    it('creates, reads, updates and deletes with the exact shape', async () => {
      const input = { name: uniqueName('search_homes'), description: 'Search homes', parameters: schema() };
      const created = await apps.realestate.http.post(TOOLS).set(admin.realestate.auth).send(input).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        ...input,
        enabled: true,
        executable: false, // no handler for this name: stored, never offered to the model
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      const id = created.body.id as string;
      expect((await apps.realestate.http.get(`${TOOLS}/${id}`).set(admin.realestate.auth).expect(200)).body).toEqual(created.body);

      const parameters = { type: 'object', properties: { q: { type: 'string', format: 'date' } } };
      const patched = await apps.realestate.http
        .patch(`${TOOLS}/${id}`)
        .set(admin.realestate.auth)
        .send({ enabled: false, parameters, name: `${input.name}_v2` })
        .expect(200);
      // The schema is replaced, not merged.
      expect(patched.body).toEqual({
        ...created.body,
        name: `${input.name}_v2`,
        enabled: false,
        parameters,
        updatedAt: expect.stringMatching(ISO_DATE),
      });

      const listed = await apps.realestate.http.get(`${TOOLS}?limit=100`).set(admin.realestate.auth).expect(200);
      expect(listed.body).toMatchObject({ limit: 100, offset: 0, total: expect.any(Number) });
      expect(listed.body.items).toContainEqual(patched.body);

      await apps.realestate.http.delete(`${TOOLS}/${id}`).set(admin.realestate.auth).expect(204);
      await apps.realestate.http.get(`${TOOLS}/${id}`).set(admin.realestate.auth).expect(404);
    });

    it.each([
      ['an invalid type', schema({ properties: { city: { type: 'strin' } } }), /not a valid JSON Schema/],
      ['an unknown keyword', schema({ colour: 'red' }), /unknown keyword: "colour"/],
      ['a required property that is not defined', schema({ required: ['country'] }), /required property "country"/],
      ['an unknown format', schema({ properties: { day: { type: 'string', format: 'dayte' } }, required: ['day'] }), /unknown format "dayte"/],
      ['an unresolvable $ref', schema({ properties: { city: { $ref: 'https://example.com/city.json' } } }), /resolve reference/],
      ['a string schema', { type: 'string' }, /"type": "object"/],
      ['no top-level type', { properties: {} }, /"type": "object"/],
      ['an array', [{ type: 'object' }], /must be a JSON Schema object/],
      ['a string', 'type: object', /must be a JSON Schema object/],
      ['null', null, /must be a JSON Schema object/],
    ])('rejects parameters with %s with a helpful 400', async (_label, parameters, message) => {
      const response = await apps.bestays.http
        .post(TOOLS)
        .set(admin.bestays.auth)
        .send({ name: uniqueName('tool'), description: 'x', parameters })
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toMatch(/^parameters /);
      expect(response.body.message).toMatch(message);
    });

    it('rejects invalid names, missing fields and invalid PATCHes', async () => {
      const existing = await createTool('bestays');
      for (const name of ['has space', 'x'.repeat(65), '', 'dots.not.allowed', 'ünïcode']) {
        await apps.bestays.http.post(TOOLS).set(admin.bestays.auth).send({ name, description: 'x', parameters: schema() }).expect(400);
      }
      await apps.bestays.http.post(TOOLS).set(admin.bestays.auth).send({ name: uniqueName('t'), parameters: schema() }).expect(400);
      await apps.bestays.http.post(TOOLS).set(admin.bestays.auth).send({ name: uniqueName('t'), description: 'x' }).expect(400);
      await apps.bestays.http.post(TOOLS).set(admin.bestays.auth).send({ name: 'x'.repeat(64), description: 'x', parameters: schema() }).expect(201);
      for (const body of [{ parameters: { type: 'array' } }, { parameters: null }, { enabled: 'no' }, { name: 'bad name' }, { product: 'bestays' }]) {
        await apps.bestays.http.patch(`${TOOLS}/${existing.id}`).set(admin.bestays.auth).send(body).expect(400);
      }
      const reread = await apps.bestays.http.get(`${TOOLS}/${existing.id}`).set(admin.bestays.auth).expect(200);
      expect(reread.body).toEqual(existing);
    });

    it('refuses a duplicate name with 409, in POST and PATCH', async () => {
      const first = await createTool('bestays');
      const second = await createTool('bestays');
      const duplicate = await apps.bestays.http
        .post(TOOLS)
        .set(admin.bestays.auth)
        .send({ name: first.name, description: 'again', parameters: schema() })
        .expect(409);
      expect(duplicate.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(first.name) });
      await apps.bestays.http.patch(`${TOOLS}/${second.id}`).set(admin.bestays.auth).send({ name: first.name }).expect(409);
      // Keeping one's own name is no conflict.
      await apps.bestays.http.patch(`${TOOLS}/${first.id}`).set(admin.bestays.auth).send({ name: first.name }).expect(200);

      // A race past the check still ends in one row and a 409, never a 500.
      const name = uniqueName('raced');
      const raced = await Promise.all(
        [0, 1, 2, 3].map(() => apps.bestays.http.post(TOOLS).set(admin.bestays.auth).send({ name, description: 'x', parameters: schema() })),
      );
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    });

    it('allows the same tool name in both products', async () => {
      const name = uniqueName('shared');
      const mine = await createTool('bestays', { name });
      const theirs = await createTool('realestate', { name });
      expect(mine.id).not.toBe(theirs.id);
      expect(await ownerQuery('select product from chat_tools where name = $1 order by product', [name])).toEqual([
        { product: 'bestays' },
        { product: 'realestate' },
      ]);
    });
  });

  describe('across products', () => {
    it.each(directions)('%s answers 404 on every verb for prompts and tools of %s, and never lists them', async (mine, theirs) => {
      const prompt = await createPrompt(theirs, { name: uniqueName('foreign'), active: true });
      const tool = await createTool(theirs);
      const http = apps[mine].http;
      const auth = admin[mine].auth;

      for (const [path, id, patch] of [
        [PROMPTS, prompt.id, { content: 'hijacked', active: false }],
        [TOOLS, tool.id, { description: 'hijacked', enabled: false }],
      ] as const) {
        await http.get(`${path}/${id}`).set(auth).expect(404);
        await http.patch(`${path}/${id}`).set(auth).send(patch).expect(404);
        await http.delete(`${path}/${id}`).set(auth).expect(404);
      }
      expect(await allIds(mine, PROMPTS)).not.toContain(prompt.id);
      expect(await allIds(mine, TOOLS)).not.toContain(tool.id);
      expect(await activeContent(mine, prompt.name)).toBeNull();

      // Still intact on its own side.
      expect((await apps[theirs].http.get(`${PROMPTS}/${prompt.id}`).set(admin[theirs].auth).expect(200)).body).toEqual(prompt);
      expect((await apps[theirs].http.get(`${TOOLS}/${tool.id}`).set(admin[theirs].auth).expect(200)).body).toEqual(tool);
      expect(await activeContent(theirs, prompt.name)).toBe(prompt.content);
    });

    it.each(directions)('%s activates its own prompt of a name without touching the active one of %s', async (mine, theirs) => {
      const name = uniqueName('system');
      const foreign = await createPrompt(theirs, { name, active: true });
      const own = await createPrompt(mine, { name, active: true });
      expect(own).toMatchObject({ version: 1, active: true });
      expect(await activeContent(theirs, name)).toBe(foreign.content);
      expect(await activeContent(mine, name)).toBe(own.content);
    });

    it('rejects a body that names a product', async () => {
      await apps.bestays.http
        .post(PROMPTS)
        .set(admin.bestays.auth)
        .send({ name: uniqueName('p'), content: 'x', product: 'realestate' })
        .expect(400);
      await apps.bestays.http
        .post(TOOLS)
        .set(admin.bestays.auth)
        .send({ name: uniqueName('t'), description: 'x', parameters: schema(), product: 'realestate' })
        .expect(400);
    });
  });

  describe('access', () => {
    it('answers 403 to agents and users, 401 to anonymous, 400 to malformed ids', async () => {
      const prompt = await createPrompt('bestays', { name: uniqueName('locked') });
      const tool = await createTool('bestays');
      const http = apps.bestays.http;
      const routes = [
        () => http.get(PROMPTS),
        () => http.post(PROMPTS).send({ name: uniqueName('p'), content: 'x' }),
        () => http.get(`${PROMPTS}/${prompt.id}`),
        () => http.patch(`${PROMPTS}/${prompt.id}`).send({ active: true }),
        () => http.delete(`${PROMPTS}/${prompt.id}`),
        () => http.get(TOOLS),
        () => http.post(TOOLS).send({ name: uniqueName('t'), description: 'x', parameters: schema() }),
        () => http.get(`${TOOLS}/${tool.id}`),
        () => http.patch(`${TOOLS}/${tool.id}`).send({ enabled: false }),
        () => http.delete(`${TOOLS}/${tool.id}`),
      ];
      for (const route of routes) {
        await route().set(agent.bestays.auth).expect(403);
        await route().set(user.bestays.auth).expect(403);
        await route().expect(401);
      }
      expect((await http.get(`${PROMPTS}/${prompt.id}`).set(admin.bestays.auth).expect(200)).body).toEqual(prompt);
      expect((await http.get(`${TOOLS}/${tool.id}`).set(admin.bestays.auth).expect(200)).body).toEqual(tool);

      for (const path of [PROMPTS, TOOLS]) {
        await http.get(`${path}/not-a-uuid`).set(admin.bestays.auth).expect(400);
        await http.patch(`${path}/not-a-uuid`).set(admin.bestays.auth).send({ enabled: true }).expect(400);
        await http.delete(`${path}/not-a-uuid`).set(admin.bestays.auth).expect(400);
      }
    });
  });

  describe('audit', () => {
    async function trail(product: ProductName, entityType: string, entityId: string) {
      const response = await apps[product].http
        .get(`/api/v1/admin/audit-log?entityType=${entityType}&entityId=${entityId}`)
        .set(admin[product].auth)
        .expect(200);
      return response.body.items as Array<{ action: string; actorId: string | null; changes: Record<string, unknown> }>;
    }

    it('records create, update and delete of prompts and tools with the actor', async () => {
      const secondAdmin = await apps.bestays.user('admin');
      const prompt = await createPrompt('bestays', { name: uniqueName('audited'), content: 'before' });
      await apps.bestays.http.patch(`${PROMPTS}/${prompt.id}`).set(secondAdmin.auth).send({ content: 'after' }).expect(200);
      await apps.bestays.http.delete(`${PROMPTS}/${prompt.id}`).set(admin.bestays.auth).expect(204);
      const prompts = await trail('bestays', 'ChatPrompt', prompt.id);
      expect(prompts.map((entry) => [entry.action, entry.actorId])).toEqual([
        ['delete', admin.bestays.id],
        ['update', secondAdmin.id],
        ['create', admin.bestays.id],
      ]);
      expect(prompts[1].changes).toEqual({ content: { from: 'before', to: 'after' }, version: { from: 1, to: 2 } });

      const tool = await createTool('bestays');
      await apps.bestays.http.patch(`${TOOLS}/${tool.id}`).set(secondAdmin.auth).send({ enabled: false }).expect(200);
      await apps.bestays.http.delete(`${TOOLS}/${tool.id}`).set(secondAdmin.auth).expect(204);
      const tools = await trail('bestays', 'ChatTool', tool.id);
      expect(tools.map((entry) => [entry.action, entry.actorId])).toEqual([
        ['delete', secondAdmin.id],
        ['update', secondAdmin.id],
        ['create', admin.bestays.id],
      ]);
      expect(tools[1].changes).toEqual({ enabled: { from: true, to: false } });
      expect(tools[2].changes).toMatchObject({ name: tool.name, parameters: tool.parameters });

      expect(await trail('realestate', 'ChatTool', tool.id)).toEqual([]);
    });

    it('records an activation that switches prompts as one update of each', async () => {
      const name = uniqueName('switch');
      const a = await createPrompt('realestate', { name, active: true });
      const b = await createPrompt('realestate', { name });
      await apps.realestate.http.patch(`${PROMPTS}/${b.id}`).set(admin.realestate.auth).send({ active: true }).expect(200);
      const [aTrail, bTrail] = [await trail('realestate', 'ChatPrompt', a.id), await trail('realestate', 'ChatPrompt', b.id)];
      expect(aTrail.map((entry) => [entry.action, entry.changes])).toEqual([
        ['update', { active: { from: true, to: false } }],
        ['create', expect.objectContaining({ active: true })],
      ]);
      expect(bTrail.map((entry) => [entry.action, entry.changes])).toEqual([
        ['update', { active: { from: false, to: true } }],
        ['create', expect.objectContaining({ active: false })],
      ]);
      expect([...aTrail, ...bTrail].every((entry) => entry.actorId === admin.realestate.id)).toBe(true);
    });
  });
});
