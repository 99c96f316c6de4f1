import { ConflictException, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { definedOnly } from '../common/validation';
import { ChatTool } from './chat-tool.entity';
import { type CreateToolBody, type UpdateToolBody } from './chat-config.dto';

@Injectable()
export class ChatToolsService {
  constructor(private readonly em: EntityManager) {}

  list(query: PageQuery): Promise<Page<ChatTool>> {
    return paginate(this.em, ChatTool, {}, query, { orderBy: { name: 'asc' } });
  }

  async get(id: string): Promise<ChatTool> {
    return orNotFound(await this.em.findOne(ChatTool, { id }), 'Tool not found');
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
    const tool = new ChatTool(body);
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
