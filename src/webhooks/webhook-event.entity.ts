import { Entity, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';

export type WebhookStatus = 'processed' | 'ignored' | 'failed';

// One row per product and svix-id: the record of what Clerk sent and what became of it.
@Unaudited()
@Entity({ tableName: 'webhook_events' })
export class WebhookEvent extends TenantEntity {
  @Property({ type: 'varchar', length: 255 })
  svixId: string;

  @Property({ type: 'varchar', length: 100, nullable: true })
  type: string | null;

  @Property({ type: 'varchar', length: 20 })
  status: WebhookStatus = 'processed';

  @Property({ type: 'jsonb' })
  payload: unknown;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  constructor(svixId: string, type: string | null, payload: unknown) {
    super();
    this.svixId = svixId;
    this.type = type;
    this.payload = payload;
  }
}
