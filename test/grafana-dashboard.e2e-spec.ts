import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardMetricNames, type Dashboard, metricFamily } from './harness/dashboards';
import { type ProductApp, type ProductName, PRODUCTS, startBothProducts } from './harness/product-app';

// Every metric the Grafana dashboards query must exist in the app's own /api/metrics (i8a adds the
// route and the metrics). A family counts as existing once /api/metrics declares it (`# TYPE`):
// a labelled counter shows no sample before its first increment.
describe('Grafana dashboards query only metrics that /api/metrics exposes', () => {
  let apps: Record<ProductName, ProductApp>;
  const root = join(__dirname, '..', 'deploy', 'grafana', 'dashboards');

  beforeAll(async () => {
    apps = await startBothProducts();
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps ?? {}).map((app) => app.close()));
  });

  it.each(PRODUCTS)('%s', async (product) => {
    const dashboard = JSON.parse(readFileSync(join(root, `${product}.json`), 'utf8')) as Dashboard;
    await apps[product].http.get('/api/v1/properties').expect(200); // at least one request is counted
    const response = await apps[product].http.get('/api/metrics').expect(200);
    const declared = new Set([...String(response.text).matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]));
    const missing = dashboardMetricNames(dashboard).filter((name) => !declared.has(metricFamily(name)) && !declared.has(name));
    expect(missing).toEqual([]);
    expect(response.text).toMatch(new RegExp(`^http_requests_total\\{[^}]*product="${product}"`, 'm'));
    expect(readdirSync(root)).toContain(`${product}.json`);
  });
});
