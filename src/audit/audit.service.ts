import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { type Page, page } from '../common/pagination.dto';
import { AuditLog } from './audit-log.entity';
import { type AuditQuery } from './audit.dto';

@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  async list(query: AuditQuery): Promise<Page<AuditLog>> {
    const where: FilterQuery<AuditLog> = {};
    if (query.entityType) {
      where.entityType = query.entityType;
    }
    if (query.entityId) {
      where.entityId = query.entityId;
    }
    if (query.actorId) {
      where.actorId = query.actorId;
    }
    const [items, total] = await this.em.findAndCount(AuditLog, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: query.offset,
    });
    return page(items, total, query);
  }
}
