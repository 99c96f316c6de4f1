import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';
import { User } from '../users/user.entity';

export type UsageOutcome = 'ok' | 'error' | 'aborted';

// One row per model call: an append-only meter (itself the record), so not audited.
@Unaudited()
@Entity({ tableName: 'llm_usage' })
export class LlmUsage extends TenantEntity {
  @ManyToOne(() => User, { fieldName: 'user_id', nullable: true })
  user: User | null = null;

  @Property({ type: 'varchar', length: 100 })
  model!: string;

  // The UTC day, 'YYYY-MM-DD': budgets and reports count per day and per month.
  @Property({ type: 'date' })
  day!: string;

  @Property({ type: 'varchar', length: 20 })
  outcome!: UsageOutcome;

  @Property({ type: 'integer' })
  promptTokens!: number;

  @Property({ type: 'integer' })
  completionTokens!: number;

  @Property({ type: 'integer' })
  totalTokens!: number;
}
