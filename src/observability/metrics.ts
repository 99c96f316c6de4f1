import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { currentTenantStore } from '../tenancy/tenant-context';

export type OutboundService = 'embeddings' | 'llm' | 'jwks' | 'clerk_api';

export interface PoolStats {
  inUse: number;
  waiting: number;
}

// One registry per app instance (the tests run two products in one process), every series labelled
// with the product; never prom-client's global default registry.
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'product' | 'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'product' | 'method' | 'route' | 'status'>;
  readonly webhookDeliveries: Counter<'product' | 'type' | 'outcome'>;
  readonly outboundCalls: Counter<'product' | 'service' | 'outcome'>;
  readonly outboundDuration: Histogram<'product' | 'service' | 'outcome'>;
  readonly rateLimitRejections: Counter<'product' | 'limit'>;
  readonly llmTokens: Counter<'product' | 'model' | 'kind'>;
  readonly rateLimitStoreFailures: Counter<'product'>;
  private poolStats: () => PoolStats | undefined = () => undefined;

  constructor(readonly product: string) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['product', 'method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route pattern and status',
      labelNames: ['product', 'method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const stats = (): PoolStats | undefined => this.poolStats();
    new Gauge({
      name: 'db_pool_connections_in_use',
      help: 'Database connections lent out by the runtime pool',
      labelNames: ['product'],
      registers,
      collect() {
        this.set({ product }, stats()?.inUse ?? 0);
      },
    });
    new Gauge({
      name: 'db_pool_connections_waiting',
      help: 'Requests waiting for a database connection',
      labelNames: ['product'],
      registers,
      collect() {
        this.set({ product }, stats()?.waiting ?? 0);
      },
    });
    this.webhookDeliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook deliveries by event type and outcome',
      labelNames: ['product', 'type', 'outcome'],
      registers,
    });
    this.outboundCalls = new Counter({
      name: 'outbound_calls_total',
      help: 'Calls to outside services (embeddings, llm, jwks, clerk_api) by outcome',
      labelNames: ['product', 'service', 'outcome'],
      registers,
    });
    this.outboundDuration = new Histogram({
      name: 'outbound_call_duration_seconds',
      help: 'Latency of calls to outside services',
      labelNames: ['product', 'service', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests answered 429 by limit name',
      labelNames: ['product', 'limit'],
      registers,
    });
    this.llmTokens = new Counter({
      name: 'llm_tokens_total',
      help: 'Language-model tokens by model and kind (prompt, completion)',
      labelNames: ['product', 'model', 'kind'],
      registers,
    });
    // Not in the shared list: Redis failing open must be visible (the limits are then per process).
    this.rateLimitStoreFailures = new Counter({
      name: 'rate_limit_store_failures_total',
      help: 'Rate-limit checks that fell back to per-process counting because Redis failed',
      labelNames: ['product'],
      registers,
    });
    // Labels apply to the default (process) metrics only; the series above set the product themselves.
    collectDefaultMetrics({ register: this.registry, labels: { product } });
  }

  /** How the runtime pool is read (set once the ORM is up). */
  watchPool(read: () => PoolStats | undefined): void {
    this.poolStats = read;
  }

  /** Counts a delivery by its event type (`payload.type`, bounded) and outcome. */
  webhookDelivery(payload: unknown, outcome: string): void {
    const type = typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
    // Clerk types look like `user.created`; anything else would let a sender mint label values.
    const label = typeof type === 'string' && /^[a-z_]{1,30}\.[a-z_]{1,30}$/.test(type) ? type : 'unknown';
    this.webhookDeliveries.inc({ product: this.product, type: label, outcome });
  }

  outbound(service: OutboundService, outcome: string, seconds: number): void {
    this.outboundCalls.inc({ product: this.product, service, outcome });
    this.outboundDuration.observe({ product: this.product, service, outcome }, seconds);
  }

  llmTokensUsed(model: string, kind: 'prompt' | 'completion', count: number): void {
    this.llmTokens.inc({ product: this.product, model, kind }, count);
  }
}

// Outside-service clients are plain objects made by module factories; they find their app's
// metrics through the product of the running request (or TenantRunner work).
const byProduct = new Map<string, Metrics>();

export function registerMetrics(metrics: Metrics): () => void {
  byProduct.set(metrics.product, metrics);
  return () => {
    if (byProduct.get(metrics.product) === metrics) {
      byProduct.delete(metrics.product);
    }
  };
}

export function metricsOfCurrentProduct(): Metrics | undefined {
  const product = currentTenantStore()?.product;
  return product === undefined ? undefined : byProduct.get(product);
}

function outcomeOf(result: unknown): string {
  if (typeof Response !== 'undefined' && result instanceof Response) {
    return result.ok ? 'success' : `http_${Math.floor(result.status / 100)}xx`;
  }
  return 'success';
}

function failureOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'error';
}

/**
 * Times one call to an outside service and counts its outcome (`success`, `http_4xx`, `http_5xx`,
 * `timeout`, `error`): `await timedOutbound('llm', () => fetch(...))`.
 */
export async function timedOutbound<T>(service: OutboundService, call: () => Promise<T>): Promise<T> {
  const metrics = metricsOfCurrentProduct();
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await call();
    metrics?.outbound(service, outcomeOf(result), seconds());
    return result;
  } catch (error) {
    metrics?.outbound(service, failureOf(error), seconds());
    throw error;
  }
}
