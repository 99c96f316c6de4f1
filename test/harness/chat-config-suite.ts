import { randomUUID } from 'node:crypto';
import { RequestContext } from '@mikro-orm/core';
import { ChatPromptsService } from '../../src/chat-config/chat-prompts.service';
import { oneInEach, type ProductName, type TestUser, useBothProducts } from './product-app';

export interface PromptJson {
  id: string;
  name: string;
  content: string;
  version: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ToolJson {
  id: string;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const PROMPTS = '/api/v1/admin/chat-config/prompts';
export const TOOLS = '/api/v1/admin/chat-config/tools';

export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
export const schema = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: { city: { type: 'string', description: 'Where to look' }, nights: { type: 'integer', minimum: 1 } },
  required: ['city'],
  additionalProperties: false,
  ...extra,
});

/** Both products with an admin, an agent and a user in each, and builders for prompts and tools (the chat-config specs). */
export function useChatConfigSuite() {
  const apps = useBothProducts();
  const admin = {} as Record<ProductName, TestUser>;
  const agent = {} as Record<ProductName, TestUser>;
  const user = {} as Record<ProductName, TestUser>;

  beforeAll(async () => {
    Object.assign(admin, await oneInEach(apps, 'admin'));
    Object.assign(agent, await oneInEach(apps, 'agent'));
    Object.assign(user, await oneInEach(apps, 'user'));
  });

  async function createPrompt(product: ProductName, body: { name: string; content?: string; active?: boolean }): Promise<PromptJson> {
    const response = await apps[product].http
      .post(PROMPTS)
      .set(admin[product].auth)
      .send({ content: `Content ${randomUUID()}`, ...body })
      .expect(201);
    return response.body as PromptJson;
  }

  async function createTool(product: ProductName, body: Partial<ToolJson> = {}): Promise<ToolJson> {
    const response = await apps[product].http
      .post(TOOLS)
      .set(admin[product].auth)
      .send({ name: uniqueName('tool'), description: 'Finds things', parameters: schema(), ...body })
      .expect(201);
    return response.body as ToolJson;
  }

  async function allIds(product: ProductName, path: string): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const response = await apps[product].http.get(`${path}?limit=100&offset=${offset}`).set(admin[product].auth).expect(200);
      ids.push(...response.body.items.map((item: { id: string }) => item.id));
      if (offset + 100 >= response.body.total) {
        return ids;
      }
    }
  }

  /** What the LLM module sees, called the way it does: inside a request of the product. */
  function activeContent(product: ProductName, name: string): Promise<string | null> {
    const app = apps[product];
    return app.inTenant(() => RequestContext.create(app.orm.em, () => app.app.get(ChatPromptsService).activeContent(name)));
  }

  async function promptsNamed(product: ProductName, name: string): Promise<PromptJson[]> {
    const response = await apps[product].http.get(`${PROMPTS}?name=${name}&limit=100`).set(admin[product].auth).expect(200);
    return response.body.items as PromptJson[];
  }

  return { apps, admin, agent, user, createPrompt, createTool, allIds, activeContent, promptsNamed };
}
