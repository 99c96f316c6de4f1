import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type Page, page, type PageQuery } from '../common/pagination.dto';
import { ChatTool } from './chat-tool.entity';
import { type CreateToolBody, type UpdateToolBody } from './chat-config.dto';

@Injectable()
export class ChatToolsService {
  constructor(private readonly em: EntityManager) {}

  async list(query: PageQuery): Promise<Page<ChatTool>> {
    const [items, total] = await this.em.findAndCount(
      ChatTool,
      {},
      { orderBy: { name: 'asc' }, limit: query.limit, offset: query.offset },
    );
    return page(items, total, query);
  }

  async get(id: string): Promise<ChatTool> {
    const tool = await this.em.findOne(ChatTool, { id });
    if (!tool) {
      throw new NotFoundException('Tool not found');
    }
    return tool;
  }

  /** The tools the model may be offered: enabled, by name. */
  enabled(): Promise<ChatTool[]> {
    return this.em.find(ChatTool, { enabled: true }, { orderBy: { name: 'asc' } });
  }

  findByName(name: string): Promise<ChatTool | null> {
    return this.em.findOne(ChatTool, { name });
  }

  async create(body: CreateToolBody): Promise<ChatTool> {
    await this.assertNameFree(body.name);
    const tool = this.em.create(ChatTool, {
      name: body.name,
      description: body.description,
      parameters: body.parameters,
      enabled: body.enabled ?? true,
    });
    await this.em.persist(tool).flush();
    return tool;
  }

  async update(id: string, body: UpdateToolBody): Promise<ChatTool> {
    const tool = await this.get(id);
    if (body.name !== undefined && body.name !== tool.name) {
      await this.assertNameFree(body.name);
    }
    Object.assign(tool, definedOnly(body));
    await this.em.flush();
    return tool;
  }

  async remove(id: string): Promise<void> {
    const tool = await this.get(id);
    await this.em.remove(tool).flush();
  }

  // A clear message for the common case; the unique index (→ 409) still decides a race.
  private async assertNameFree(name: string): Promise<void> {
    if (await this.findByName(name)) {
      throw new ConflictException(`A tool named "${name}" already exists`);
    }
  }
}

// Validated DTO instances carry every declared field, the omitted ones as undefined.
function definedOnly<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}
