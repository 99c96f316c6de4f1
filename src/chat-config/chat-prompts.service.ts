import { Injectable } from '@nestjs/common';
import { DeadlockException, EntityManager, type FilterQuery, UniqueConstraintViolationException } from '@mikro-orm/core';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page } from '../common/pagination.dto';
import { ChatPrompt } from './chat-prompt.entity';
import { type CreatePromptBody, type PromptQuery, type UpdatePromptBody } from './chat-config.dto';

// Concurrent writes of one name race for the next version and the single active slot; the
// database refuses the loser (unique indexes), which then redoes its work on the new state.
const MAX_ATTEMPTS = 5;

@Injectable()
export class ChatPromptsService {
  constructor(private readonly em: EntityManager) {}

  /** The content of the active prompt of that name, or null when none is active. */
  async activeContent(name: string): Promise<string | null> {
    const prompt = await this.em.findOne(ChatPrompt, { name, active: true });
    return prompt?.content ?? null;
  }

  list(query: PromptQuery): Promise<Page<ChatPrompt>> {
    const where: FilterQuery<ChatPrompt> = {};
    if (query.name !== undefined) {
      where.name = query.name;
    }
    if (query.active !== undefined) {
      where.active = query.active;
    }
    return paginate(this.em, ChatPrompt, where, query, { orderBy: { name: 'asc', version: 'desc' } });
  }

  async get(id: string): Promise<ChatPrompt> {
    return orNotFound(await this.em.findOne(ChatPrompt, { id }), 'Prompt not found');
  }

  create(body: CreatePromptBody): Promise<ChatPrompt> {
    return this.write(async (em) => {
      const version = (await highestVersion(em, body.name)) + 1;
      const prompt = new ChatPrompt(body.name, body.content, version);
      if (body.active === true) {
        await deactivateOthers(em, prompt);
        prompt.active = true;
      }
      await em.persist(prompt).flush();
      return prompt;
    });
  }

  update(id: string, body: UpdatePromptBody): Promise<ChatPrompt> {
    return this.write(async (em) => {
      const prompt = orNotFound(await em.findOne(ChatPrompt, { id }), 'Prompt not found');
      // Queried before the prompt is touched, so no auto-flush writes half of the change.
      const newContent = body.content !== undefined && body.content !== prompt.content ? body.content : undefined;
      const version = newContent !== undefined ? (await highestVersion(em, prompt.name)) + 1 : prompt.version;
      if (body.active === true && !prompt.active) {
        await deactivateOthers(em, prompt);
      }
      if (newContent !== undefined) {
        prompt.content = newContent;
        prompt.version = version;
      }
      if (body.active !== undefined) {
        prompt.active = body.active;
      }
      await em.flush();
      return prompt;
    });
  }

  async remove(id: string): Promise<void> {
    const prompt = await this.get(id);
    await this.em.remove(prompt).flush();
  }

  private async write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A fresh identity map per attempt: a rolled-back attempt leaves no stale entities behind.
        return await this.em.transactional(work, { clear: true });
      } catch (error) {
        const raced = error instanceof UniqueConstraintViolationException || error instanceof DeadlockException;
        if (!raced || attempt >= MAX_ATTEMPTS) {
          throw error;
        }
      }
    }
  }
}

async function highestVersion(em: EntityManager, name: string): Promise<number> {
  const latest = await em.findOne(ChatPrompt, { name }, { orderBy: { version: 'desc' } });
  return latest?.version ?? 0;
}

// The partial unique index allows one active prompt per name at any moment, even within a
// statement: the old one is switched off and flushed before the new one is switched on.
async function deactivateOthers(em: EntityManager, prompt: ChatPrompt): Promise<void> {
  const others = await em.find(ChatPrompt, { name: prompt.name, active: true, id: { $ne: prompt.id } });
  for (const other of others) {
    other.active = false;
  }
  await em.flush();
}
