import { Entity, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';
import { Unaudited } from './unaudited.decorator';

export type AuditAction = 'create' | 'update' | 'delete';

@Unaudited()
@Entity({ tableName: 'audit_log' })
export class AuditLog extends TenantEntity {
  @Property({ type: 'varchar', length: 10 })
  action: AuditAction;

  @Property({ type: 'varchar', length: 100 })
  entityType: string;

  @Property({ type: 'varchar', length: 100 })
  entityId: string;

  @Property({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Property({ type: 'jsonb' })
  changes: Record<string, unknown>;

  @Property({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  constructor(fields: Pick<AuditLog, 'action' | 'entityType' | 'entityId' | 'actorId' | 'changes' | 'requestId'>) {
    super();
    this.action = fields.action;
    this.entityType = fields.entityType;
    this.entityId = fields.entityId;
    this.actorId = fields.actorId;
    this.changes = fields.changes;
    this.requestId = fields.requestId;
  }
}
