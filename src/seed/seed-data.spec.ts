import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSeedData, SeedDataError } from './seed-data';

describe('seed data files', () => {
  let root: string;
  const write = (product: string, name: string, content: unknown) => {
    mkdirSync(path.join(root, product), { recursive: true });
    writeFileSync(path.join(root, product, name), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const property = { title: 'Hut', priceMinor: 100, currency: 'EUR', bedrooms: 1, bathrooms: 1, address: '1 Road' };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'seed-data-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads the shipped demo data of both products', () => {
    for (const product of ['bestays', 'realestate']) {
      const data = loadSeedData(product);
      expect(data.properties).toHaveLength(30);
      expect(data.faq.categories).toHaveLength(5);
      expect(data.faq.documents.length).toBeGreaterThanOrEqual(27);
      expect(data.chatConfig.prompts.map((prompt) => prompt.name)).toEqual(['system']);
      expect(data.chatConfig.tools.map((tool) => tool.name)).toEqual(['search_properties', 'get_property', 'search_faq']);
    }
  });

  it('a third product is a folder; a product without one has no demo data', () => {
    write('third', 'properties.json', { properties: [property] });
    expect(loadSeedData('third', root).properties).toEqual([expect.objectContaining(property)]);
    expect(loadSeedData('third', root).faq.documents).toEqual([]);
    expect(loadSeedData('nobody', root)).toEqual({ properties: [], faq: { categories: [], documents: [] }, chatConfig: { prompts: [], tools: [] } });
  });

  it.each([
    ['properties.json', { properties: [{ ...property, priceMinor: 1.5 }] }, /properties\.json: properties\[0\]\.priceMinor: priceMinor must be an integer/],
    ['properties.json', { properties: [{ ...property, product: 'bestays' }] }, /properties\.json: properties\[0\]\.product: property product should not exist/],
    ['faq.json', { categories: [{ name: 'A', slug: 'a' }], documents: [{ category: 'a', question: ' ', answer: 'x' }] }, /faq\.json: documents\[0\]\.question: question must not be blank/],
    ['faq.json', { categories: [{ name: 'A', slug: 'a' }], documents: [{ category: 'b', question: 'q?', answer: 'x' }] }, /faq\.json: documents\[0\]\.category: "b" is not the slug/],
    ['chat-config.json', { tools: [{ name: 'x', description: 'y', parameters: { type: 'string' } }] }, /chat-config\.json: tools\[0\]\.parameters: parameters must have "type": "object"/],
    ['faq.json', '{ not json', /faq\.json: not valid JSON/],
  ])('a bad %s fails naming the file and the field', (name, content, message) => {
    write('bad', name, content);
    expect(() => loadSeedData('bad', root)).toThrow(SeedDataError);
    expect(() => loadSeedData('bad', root)).toThrow(message);
  });
});
