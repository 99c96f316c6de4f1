import { ownerQuery } from './harness/db';
import { ISO_DATE, PROMPTS, type PromptJson, uniqueName, useChatConfigSuite, UUID } from './harness/chat-config-suite';

describe('chat config: prompts', () => {
  const { apps, admin, createPrompt, activeContent, promptsNamed } = useChatConfigSuite();

  describe('prompts', () => {
    it('creates, reads, updates and deletes with the exact shape', async () => {
      const name = uniqueName('greeting');
      const created = await apps.bestays.http.post(PROMPTS).set(admin.bestays.auth).send({ name, content: 'Hello!' }).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name,
        content: 'Hello!',
        version: 1,
        active: false,
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      const id = created.body.id as string;
      const read = await apps.bestays.http.get(`${PROMPTS}/${id}`).set(admin.bestays.auth).expect(200);
      expect(read.body).toEqual(created.body);

      const patched = await apps.bestays.http.patch(`${PROMPTS}/${id}`).set(admin.bestays.auth).send({ content: 'Hi there!' }).expect(200);
      expect(patched.body).toEqual({ ...created.body, content: 'Hi there!', version: 2, updatedAt: expect.stringMatching(ISO_DATE) });

      await apps.bestays.http.delete(`${PROMPTS}/${id}`).set(admin.bestays.auth).expect(204);
      await apps.bestays.http.get(`${PROMPTS}/${id}`).set(admin.bestays.auth).expect(404);
      await apps.bestays.http.patch(`${PROMPTS}/${id}`).set(admin.bestays.auth).send({ active: true }).expect(404);
      await apps.bestays.http.delete(`${PROMPTS}/${id}`).set(admin.bestays.auth).expect(404);
    });

    it('numbers versions per name and bumps the version only when the content changes', async () => {
      const name = uniqueName('faq');
      const v1 = await createPrompt('realestate', { name, content: 'one' });
      const v2 = await createPrompt('realestate', { name, content: 'two' });
      const other = await createPrompt('realestate', { name: uniqueName('other') });
      expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);

      // A content change takes 1 + the highest version of the name, whichever row it is.
      const bumped = await apps.realestate.http.patch(`${PROMPTS}/${v1.id}`).set(admin.realestate.auth).send({ content: 'one, revised' }).expect(200);
      expect(bumped.body).toMatchObject({ id: v1.id, content: 'one, revised', version: 3 });
      const same = await apps.realestate.http.patch(`${PROMPTS}/${v1.id}`).set(admin.realestate.auth).send({ content: 'one, revised' }).expect(200);
      expect(same.body.version).toBe(3);
      const activated = await apps.realestate.http.patch(`${PROMPTS}/${v2.id}`).set(admin.realestate.auth).send({ active: true }).expect(200);
      expect(activated.body).toMatchObject({ version: 2, active: true, content: 'two' });

      // The name is fixed; listed by name, newest version first.
      await apps.realestate.http.patch(`${PROMPTS}/${v1.id}`).set(admin.realestate.auth).send({ name: 'renamed' }).expect(400);
      const listed = await promptsNamed('realestate', name);
      expect(listed.map((p) => [p.id, p.version])).toEqual([
        [v1.id, 3],
        [v2.id, 2],
      ]);

      // Deleting the newest frees nothing: the next version continues from the highest left.
      await apps.realestate.http.delete(`${PROMPTS}/${v1.id}`).set(admin.realestate.auth).expect(204);
      const v3 = await createPrompt('realestate', { name, content: 'three' });
      expect(v3.version).toBe(3);
    });

    it('activating a prompt deactivates the active one of the same name only', async () => {
      const name = uniqueName('system');
      const bystander = await createPrompt('bestays', { name: uniqueName('bystander'), active: true });
      const a = await createPrompt('bestays', { name, content: 'A', active: true });
      expect(a.active).toBe(true);
      expect(await activeContent('bestays', name)).toBe('A');

      const b = await createPrompt('bestays', { name, content: 'B', active: true });
      expect(b.active).toBe(true);
      expect((await promptsNamed('bestays', name)).map((p) => [p.id, p.active])).toEqual([
        [b.id, true],
        [a.id, false],
      ]);
      expect(await activeContent('bestays', name)).toBe('B');

      await apps.bestays.http.patch(`${PROMPTS}/${a.id}`).set(admin.bestays.auth).send({ active: true }).expect(200);
      const activeOnly = await apps.bestays.http.get(`${PROMPTS}?name=${name}&active=true`).set(admin.bestays.auth).expect(200);
      expect(activeOnly.body.items.map((p: PromptJson) => p.id)).toEqual([a.id]);
      expect(await activeContent('bestays', name)).toBe('A');

      // Activating with a new content at once: one version bump, still the only active one.
      const both = await apps.bestays.http.patch(`${PROMPTS}/${b.id}`).set(admin.bestays.auth).send({ content: 'B2', active: true }).expect(200);
      expect(both.body).toMatchObject({ content: 'B2', version: 3, active: true });
      expect((await promptsNamed('bestays', name)).filter((p) => p.active).map((p) => p.id)).toEqual([b.id]);

      await apps.bestays.http.patch(`${PROMPTS}/${b.id}`).set(admin.bestays.auth).send({ active: false }).expect(200);
      expect((await promptsNamed('bestays', name)).some((p) => p.active)).toBe(false);
      expect(await activeContent('bestays', name)).toBeNull();

      const untouched = await apps.bestays.http.get(`${PROMPTS}/${bystander.id}`).set(admin.bestays.auth).expect(200);
      expect(untouched.body.active).toBe(true);
    });

    it('concurrent activations never leave two active prompts of a name', async () => {
      const name = uniqueName('race');
      const prompts: PromptJson[] = [];
      for (let i = 0; i < 6; i++) {
        prompts.push(await createPrompt('bestays', { name, content: `candidate ${i}`, active: i === 0 }));
      }
      for (let round = 0; round < 3; round++) {
        const responses = await Promise.all(
          prompts.map((prompt) => apps.bestays.http.patch(`${PROMPTS}/${prompt.id}`).set(admin.bestays.auth).send({ active: true })),
        );
        for (const response of responses) {
          expect([200, 409]).toContain(response.status);
        }
        const winners = responses.filter((response) => response.status === 200).map((response) => response.body.id as string);
        expect(winners.length).toBeGreaterThan(0);

        const active = (await promptsNamed('bestays', name)).filter((p) => p.active);
        expect(active).toHaveLength(1);
        expect(winners).toContain(active[0].id);
        const rows = await ownerQuery('select id from chat_prompts where product = $1 and name = $2 and active', ['bestays', name]);
        expect(rows).toEqual([{ id: active[0].id }]);
      }

      // Concurrent creates of active prompts of one name: distinct versions, one active.
      const created = await Promise.all(
        [0, 1, 2, 3].map((i) => apps.bestays.http.post(PROMPTS).set(admin.bestays.auth).send({ name, content: `new ${i}`, active: true })),
      );
      for (const response of created) {
        expect([201, 409]).toContain(response.status);
      }
      const all = await promptsNamed('bestays', name);
      expect(new Set(all.map((p) => p.version)).size).toBe(all.length);
      expect(all.filter((p) => p.active)).toHaveLength(1);
    });

    it('validates bodies', async () => {
      const existing = await createPrompt('bestays', { name: uniqueName('valid') });
      const bad = [
        {},
        { name: 'system' },
        { content: 'no name' },
        { name: 'has space', content: 'x' },
        { name: 'x'.repeat(101), content: 'x' },
        { name: 'system', content: '' },
        { name: 'system', content: '   ' },
        { name: 'system', content: 'x', active: 'yes' },
        { name: 'system', content: 'x', version: 7 },
        { name: 'system', content: 'x', product: 'realestate' },
      ];
      for (const body of bad) {
        const response = await apps.bestays.http.post(PROMPTS).set(admin.bestays.auth).send(body).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      for (const body of [{ content: null }, { active: null }, { version: 9 }, { product: 'bestays' }, { content: '' }]) {
        await apps.bestays.http.patch(`${PROMPTS}/${existing.id}`).set(admin.bestays.auth).send(body).expect(400);
      }
      const reread = await apps.bestays.http.get(`${PROMPTS}/${existing.id}`).set(admin.bestays.auth).expect(200);
      expect(reread.body).toEqual(existing);
    });
  });

});
