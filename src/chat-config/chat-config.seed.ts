import { type INestApplicationContext } from '@nestjs/common';
import { type CreatePromptBody, type CreateToolBody } from './chat-config.dto';
import { ChatPromptsService } from './chat-prompts.service';
import { ChatToolsService } from './chat-tools.service';

/**
 * Demo prompts and tools (validated seed data, see src/seed/seed-data.ts), created in the caller's
 * tenant context. Idempotent: a prompt name or tool name that exists is left alone. Returns how many rows it created.
 */
export async function seedChatConfig(
  app: INestApplicationContext,
  data: { prompts: CreatePromptBody[]; tools: CreateToolBody[] },
): Promise<number> {
  const prompts = app.get(ChatPromptsService);
  const tools = app.get(ChatToolsService);
  let created = 0;
  for (const prompt of data.prompts) {
    if ((await prompts.list({ name: prompt.name, limit: 1 })).total === 0) {
      await prompts.create(prompt);
      created++;
    }
  }
  for (const tool of data.tools) {
    if (!(await tools.findByName(tool.name))) {
      await tools.create(tool);
      created++;
    }
  }
  return created;
}
