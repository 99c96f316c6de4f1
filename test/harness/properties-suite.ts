import { randomUUID } from 'node:crypto';
import { oneInEach, type ProductName, type TestUser, useBothProducts } from './product-app';

export interface PropertyJson {
  id: string;
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  bedrooms: number;
  bathrooms: number;
  address: string;
  published: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Both products with an admin, two agents and a user in each, and builders for properties (the property specs). */
export function usePropertiesSuite() {
  const apps = useBothProducts();
  const admin = {} as Record<ProductName, TestUser>;
  const agent = {} as Record<ProductName, TestUser>;
  const otherAgent = {} as Record<ProductName, TestUser>;
  const user = {} as Record<ProductName, TestUser>;

  beforeAll(async () => {
    Object.assign(admin, await oneInEach(apps, 'admin'));
    Object.assign(agent, await oneInEach(apps, 'agent'));
    Object.assign(otherAgent, await oneInEach(apps, 'agent'));
    Object.assign(user, await oneInEach(apps, 'user'));
  });

  const body = (overrides: Record<string, unknown> = {}) => ({
    title: `Test villa ${randomUUID().slice(0, 8)}`,
    description: 'Three terraces and a view of the sea.',
    priceMinor: 25_000,
    currency: 'EUR',
    bedrooms: 3,
    bathrooms: 2,
    address: '1 Harbour Road, Testville',
    published: true,
    ...overrides,
  });

  async function create(product: ProductName, who: TestUser, overrides: Record<string, unknown> = {}): Promise<PropertyJson> {
    const response = await apps[product].http.post('/api/v1/admin/properties').set(who.auth).send(body(overrides)).expect(201);
    return response.body as PropertyJson;
  }

  /** Every item of a paginated list, page by page. */
  async function allItems(product: ProductName, path: string, who?: TestUser): Promise<PropertyJson[]> {
    const items: PropertyJson[] = [];
    for (let offset = 0; ; offset += 100) {
      const request = apps[product].http.get(`${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset}`);
      const response = await (who ? request.set(who.auth) : request).expect(200);
      items.push(...(response.body.items as PropertyJson[]));
      if (offset + 100 >= response.body.total) {
        return items;
      }
    }
  }

  return { apps, admin, agent, otherAgent, user, body, create, allItems };
}
