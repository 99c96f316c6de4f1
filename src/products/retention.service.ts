import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM, type Transaction } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

const DAY_MS = 24 * 60 * 60 * 1000;
// First run a while after boot (not in the middle of a deploy), then daily.
const FIRST_RUN_MS = 10 * 60 * 1000;
const RETENTION_LOCK = 7_301_964;

type Affected = { affectedRows?: number };

// Reviewed raw SQL, run as the product's runtime role: RLS confines the delete and the upsert to
// this product (app_current_product() is the role's own product, as its with-check demands).
// Days are UTC days. The aggregate columns mirror what the reports compute from raw events.
const FOLD_EXPIRED_SEARCHES_SQL = `
with expired as (
  delete from faq_analytics
  where kind = 'search' and query is not null and created_at < ?
  returning query, created_at, hit_count, best_score
), folded as (
  insert into faq_search_rollups
    (id, product, query, day, found, best_score, searches, no_result_searches, hits_sum, hits_counted, created_at, updated_at)
  select gen_random_uuid(), app_current_product(), e.query, (e.created_at at time zone 'UTC')::date, coalesce(e.hit_count > 0, false), e.best_score,
    count(*), count(*) filter (where e.hit_count = 0), coalesce(sum(e.hit_count), 0), count(e.hit_count), now(), now()
  from expired e
  group by e.query, (e.created_at at time zone 'UTC')::date, coalesce(e.hit_count > 0, false), e.best_score
  on conflict on constraint faq_search_rollups_product_query_day_unique do update set
    searches = faq_search_rollups.searches + excluded.searches,
    no_result_searches = faq_search_rollups.no_result_searches + excluded.no_result_searches,
    hits_sum = faq_search_rollups.hits_sum + excluded.hits_sum,
    hits_counted = faq_search_rollups.hits_counted + excluded.hits_counted,
    updated_at = now()
  returning 1
)
select (select count(*)::int from expired) as folded, (select count(*)::int from folded) as rollups`;

export interface RetentionResult {
  ran: boolean;
  searchQueriesCleared: number;
  webhookPayloadsCleared: number;
  conversationsDeleted: number;
}

/**
 * The daily retention job of this product: raw search events (folded into per-query, per-day
 * aggregates first, so the search reports do not change), Clerk delivery payloads (the delivery id stays, for idempotency) and old
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
      // Expired search events are folded into faq_search_rollups and deleted in one statement, so
      // the reports read the same counts, averages and best scores before and after, and a second
      // run finds nothing left to fold (no double count). Events whose text an older version
      // already cleared carry nothing to fold and are left as they are.
      const [searches] = (await connection.execute(FOLD_EXPIRED_SEARCHES_SQL, [before(analyticsQueryDays)], 'all', tx)) as Array<{
        folded: number;
      }>;
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
        searchQueriesCleared: searches?.folded ?? 0,
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
