import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { paginate } from '../common/pagination';
import { type Page } from '../common/pagination.dto';
import { AuditLog } from './audit-log.entity';
import { type AuditQuery } from './audit.dto';

@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  list(query: AuditQuery): Promise<Page<AuditLog>> {
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
    return paginate(this.em, AuditLog, where, query, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }
}
