import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { currentProduct } from '../tenancy/tenant-context';
import { TenantRunner } from '../tenancy/tenant-runner';
import { FaqAnalyticsEvent, type FaqAnalyticsKind } from './faq-analytics-event.entity';

export interface AnalyticsEventData {
  kind: FaqAnalyticsKind;
  documentId?: string;
  helpful?: boolean;
  query?: string;
  hitCount?: number;
  bestScore?: number | null;
}

interface EventRow {
  id: string;
  product: string;
  kind: FaqAnalyticsKind;
  document: string | null;
  helpful: boolean | null;
  query: string | null;
  hitCount: number | null;
  bestScore: number | null;
  createdAt: Date;
  updatedAt: Date;
}

// Recording a search or a view stays off the response's critical path: events are queued and
// inserted together, every FLUSH_MS or once BATCH_SIZE are waiting, and at shutdown.
const FLUSH_MS = 250;
const BATCH_SIZE = 100;
// While the database is unreachable, keep at most this many events waiting (then drop the oldest).
const MAX_WAITING = 50_000;

@Injectable()
export class FaqAnalyticsQueue implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('FaqAnalytics');
  private waiting: EventRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly em: EntityManager,
    private readonly runner: TenantRunner,
  ) {}

  /** Queues one event of the current request's product; it is stored within FLUSH_MS. */
  add(data: AnalyticsEventData): void {
    if (currentProduct() !== this.config.product) {
      throw new Error('analytics event of another product');
    }
    const now = new Date();
    this.waiting.push({
      id: randomUUID(),
      product: this.config.product,
      kind: data.kind,
      document: data.documentId ?? null,
      helpful: data.helpful ?? null,
      query: data.query ?? null,
      hitCount: data.hitCount ?? null,
      bestScore: data.bestScore ?? null,
      createdAt: now,
      updatedAt: now,
    });
    if (this.waiting.length >= BATCH_SIZE || this.closed) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    }
  }

  /** Stores every event queued so far; resolves once they are in the database (tests and shutdown call it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    // One insert at a time, in order; a failed batch goes back to the queue for the next flush.
    this.writing = this.writing.then(() => (batch.length > 0 ? this.insert(batch) : undefined));
    return this.writing;
  }

  onModuleDestroy(): Promise<void> {
    return this.flush();
  }

  // The ORM closes on application shutdown, after this: events acknowledged so far are stored first.
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async insert(batch: EventRow[]): Promise<void> {
    try {
      // Copies: the insert may add fields to its rows, and a failed batch is queued again as it was.
      const rows = batch.map((row) => ({ ...row }));
      // Inserted in this process's tenant context: stamped and checked like any write, and RLS binds it.
      await this.runner.run(this.config.product, () => this.em.insertMany(FaqAnalyticsEvent, rows));
    } catch (error) {
      this.logger.warn(`could not store ${batch.length} analytics event(s), will retry: ${String(error)}`);
      this.waiting = [...batch, ...this.waiting].slice(-MAX_WAITING);
      if (!this.closed) {
        this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 4).unref();
      }
    }
  }
}
