import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM, type Transaction } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

const DAY_MS = 24 * 60 * 60 * 1000;
// First run a while after boot (not in the middle of a deploy), then daily.
const FIRST_RUN_MS = 10 * 60 * 1000;
const RETENTION_LOCK = 7_301_964;

type Affected = { affectedRows?: number };

export interface RetentionResult {
  ran: boolean;
  searchQueriesCleared: number;
  webhookPayloadsCleared: number;
  conversationsDeleted: number;
}

/**
 * The daily retention job of this product: raw search queries (the search events stay, so the
 * counts do), Clerk delivery payloads (the delivery id stays, for idempotency) and old
 * conversations. One replica runs it at a time (advisory lock per product); RLS confines it.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orm: MikroORM,
  ) {}

  onApplicationBootstrap(): void {
    const first = setTimeout(() => {
      void this.safeRun();
      const daily = setInterval(() => void this.safeRun(), DAY_MS);
      daily.unref();
      this.timers.push(daily);
    }, FIRST_RUN_MS);
    first.unref();
    this.timers.push(first);
  }

  onApplicationShutdown(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
  }

  /** One pass with `now` as the clock (tests pass a fixed one). Skipped when another replica holds the lock. */
  async run(now: Date = new Date()): Promise<RetentionResult> {
    const { analyticsQueryDays, webhookPayloadDays, conversationDays } = this.config.registry.retention;
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    return this.orm.em.fork().transactional(async (em) => {
      const connection = em.getConnection();
      const tx = em.getTransactionContext<Transaction<unknown>>();
      const [lock] = (await connection.execute(
        'select pg_try_advisory_xact_lock(?, hashtext(?)) as locked',
        [RETENTION_LOCK, this.config.product],
        'all',
        tx,
      )) as Array<{ locked: boolean }>;
      if (!lock?.locked) {
        return { ran: false, searchQueriesCleared: 0, webhookPayloadsCleared: 0, conversationsDeleted: 0 };
      }
      const searches = (await connection.execute(
        `update faq_analytics set query = null where kind = 'search' and query is not null and created_at < ?`,
        [before(analyticsQueryDays)],
        'run',
        tx,
      )) as Affected;
      const webhooks = (await connection.execute(
        `update webhook_events set payload = jsonb_build_object('expired', true) where created_at < ? and payload <> '{"expired": true}'::jsonb`,
        [before(webhookPayloadDays)],
        'run',
        tx,
      )) as Affected;
      // Messages go with their conversation (on delete cascade).
      const conversations = (await connection.execute('delete from conversations where updated_at < ?', [before(conversationDays)], 'run', tx)) as Affected;
      return {
        ran: true,
        searchQueriesCleared: searches.affectedRows ?? 0,
        webhookPayloadsCleared: webhooks.affectedRows ?? 0,
        conversationsDeleted: conversations.affectedRows ?? 0,
      };
    });
  }

  private async safeRun(): Promise<void> {
    try {
      const result = await this.run();
      if (result.ran) {
        this.logger.log(
          `retention: ${result.searchQueriesCleared} search queries, ${result.webhookPayloadsCleared} webhook payloads, ${result.conversationsDeleted} conversations removed`,
        );
      }
    } catch (error) {
      this.logger.warn(`retention job failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
