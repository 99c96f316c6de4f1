// TEMPORARY check of the FAQ helper; deleted right away.
import { seedProduct } from '../src/seed/seed-product';
import { startBothProducts } from './harness/product-app';
it('seed', async () => {
  const apps = await startBothProducts();
  for (const app of Object.values(apps)) {
    console.log('FIRST', JSON.stringify(await seedProduct(app.app, app.product)));
    console.log('SECOND', JSON.stringify(await seedProduct(app.app, app.product)));
    const r = await app.http.get('/api/v1/faq/search').query({ q: app.product === 'bestays' ? 'can I bring my dog' : 'what is gazumping' });
    console.log('SEARCH', JSON.stringify(r.body.items.map((i: any) => [i.question, i.score])));
  }
  await Promise.all(Object.values(apps).map((a) => a.close()));
});
