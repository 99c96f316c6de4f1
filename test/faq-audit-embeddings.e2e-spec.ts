import { ownerQuery } from './harness/db';
import { catchUp, embeddingHash, embeddingOf, useFaqSuite } from './harness/faq-suite';

describe('FAQ audit trail and local embeddings', () => {
  const { apps, admin, createCategory, createFaq, auditOf } = useFaqSuite();

  describe('audit trail', () => {
    it('records create, update and delete of categories, documents and related links with the actor', async () => {
      const app = apps.realestate;
      const actor = admin.realestate;
      const category = await createCategory('realestate');
      await app.http.patch(`/api/v1/admin/categories/${category.id}`).set(actor.auth).send({ name: 'Renamed' }).expect(200);

      const faq = await createFaq('realestate', category.id, { status: 'draft' });
      const target = await createFaq('realestate', category.id);
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(actor.auth).send({ status: 'published' }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [target.id] }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [] }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [target.id] }).expect(200);
      await app.http.delete(`/api/v1/admin/faqs/${faq.id}`).set(actor.auth).expect(204);
      await app.http.delete(`/api/v1/admin/faqs/${target.id}`).set(actor.auth).expect(204);
      await app.http.delete(`/api/v1/admin/categories/${category.id}`).set(actor.auth).expect(204);

      const categoryTrail = await auditOf('realestate', 'FaqCategory', category.id);
      expect(categoryTrail.map((entry) => entry.action).sort()).toEqual(['create', 'delete', 'update']);
      expect(categoryTrail.every((entry) => entry.actorId === actor.id)).toBe(true);
      expect(categoryTrail.find((entry) => entry.action === 'update')?.changes).toEqual({ name: { from: category.name, to: 'Renamed' } });
      expect(categoryTrail.find((entry) => entry.action === 'create')?.changes).toMatchObject({ name: category.name, slug: category.slug });

      const faqTrail = await auditOf('realestate', 'FaqDocument', faq.id);
      expect(faqTrail.map((entry) => entry.action).sort()).toEqual(['create', 'delete', 'update']);
      expect(faqTrail.every((entry) => entry.actorId === actor.id)).toBe(true);
      expect(faqTrail.find((entry) => entry.action === 'update')?.changes).toEqual({ status: { from: 'draft', to: 'published' } });

      const links = await app.http
        .get('/api/v1/admin/audit-log')
        .query({ entityType: 'FaqRelated', actorId: actor.id, limit: 100 })
        .set(actor.auth)
        .expect(200);
      const ours = (links.body.items as Array<{ action: string; actorId: string; changes: Record<string, unknown> }>).filter(
        (entry) => JSON.stringify(entry.changes).includes(faq.id),
      );
      // Linked, unlinked, linked again, and unlinked by the document's deletion.
      expect(ours.map((entry) => entry.action).sort()).toEqual(['create', 'create', 'delete', 'delete']);
      expect(ours.every((entry) => entry.actorId === actor.id)).toBe(true);

      // Derived rows (embeddings) and the analytics event log are not audited.
      const derived = await ownerQuery(`select count(*)::int as n from audit_log where entity_type in ('FaqEmbedding', 'FaqAnalyticsEvent')`);
      expect(derived[0].n).toBe(0);
    });
  });

  describe('embeddings (local model)', () => {
    it('are computed on create and recomputed only when the embedded text changes', async () => {
      const app = apps.bestays;
      const auth = admin.bestays.auth;
      const category = await createCategory('bestays');
      const other = await createCategory('bestays');
      const faq = await createFaq('bestays', category.id, { question: 'Is there a sauna?', answer: 'Some chalets have one.', tags: ['sauna'] });

      const first = await embeddingOf(faq.id);
      expect(first).toEqual({
        model: 'local-hashing-v2',
        content_hash: embeddingHash('Is there a sauna?', ['sauna'], 'Some chalets have one.'),
        dims: 384,
        updated_at: expect.any(Date),
      });

      // Status and category are not embedded: no new vector.
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ status: 'archived' }).expect(200);
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ categoryId: other.id, status: 'published' }).expect(200);
      expect(await embeddingOf(faq.id)).toEqual(first);

      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ question: 'Is there a sauna or a steam room?' }).expect(200);
      const second = await embeddingOf(faq.id);
      expect(second?.content_hash).toBe(embeddingHash('Is there a sauna or a steam room?', ['sauna'], 'Some chalets have one.'));
      expect(second!.updated_at.getTime()).toBeGreaterThan(first!.updated_at.getTime());

      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ tags: ['sauna', 'spa'] }).expect(200);
      expect((await embeddingOf(faq.id))?.content_hash).toBe(
        embeddingHash('Is there a sauna or a steam room?', ['sauna', 'spa'], 'Some chalets have one.'),
      );

      await app.http.delete(`/api/v1/admin/faqs/${faq.id}`).set(auth).expect(204);
      expect(await embeddingOf(faq.id)).toBeUndefined();
    });

    it('of an older model are re-embedded by the boot catch-up, in this product only', async () => {
      const ours = await createFaq('bestays', (await createCategory('bestays')).id, { question: 'Is there a hot tub?', answer: 'Some villas.' });
      const theirs = await createFaq('realestate', (await createCategory('realestate')).id, { question: 'Is there a garden?', answer: 'Often.' });
      // As an upgrade from local-hashing-v1 leaves them: old model, old vector, same text.
      await ownerQuery(`update faq_embeddings set model = 'local-hashing-v1', vector = array_fill(0::real, array[384]) where document_id = any($1)`, [
        [ours.id, theirs.id],
      ]);

      expect(await catchUp(apps.bestays.app, 'bestays')).toMatch(/^re-embedded \d+ FAQ document/);
      expect(await embeddingOf(ours.id)).toMatchObject({ model: 'local-hashing-v2', dims: 384 });
      const [vector] = await ownerQuery<{ nonzero: boolean }>(
        'select bool_or(x <> 0) as nonzero from faq_embeddings, unnest(vector) as x where document_id = $1',
        [ours.id],
      );
      expect(vector.nonzero).toBe(true);
      // The other product's row is not this process's to touch; its own boot brings it up to date.
      expect(await embeddingOf(theirs.id)).toMatchObject({ model: 'local-hashing-v1' });
      await expect(catchUp(apps.bestays.app, 'realestate')).rejects.toThrow('cannot run work for "realestate"');
      await catchUp(apps.realestate.app, 'realestate');
      expect(await embeddingOf(theirs.id)).toMatchObject({ model: 'local-hashing-v2' });
      // Up to date now: a second run embeds nothing of ours again.
      const before = await embeddingOf(ours.id);
      await catchUp(apps.bestays.app, 'bestays');
      expect(await embeddingOf(ours.id)).toEqual(before);
    });
  });
});
