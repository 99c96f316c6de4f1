// The metric names agreed for /api/metrics (the observability work defines them): the Grafana dashboards may query
// only these. Histograms are queried through their _bucket series.
export const AGREED_METRICS = new Set([
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'db_pool_connections_in_use',
  'db_pool_connections_waiting',
  'webhook_deliveries_total',
  'outbound_calls_total',
  'outbound_call_duration_seconds_bucket',
  'rate_limit_rejections_total',
  'llm_tokens_total',
  // prom-client collectDefaultMetrics (no prefix)
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
]);

export interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

/** Every metric a dashboard queries: in these dashboards each selector is written `name{...}`. */
export function dashboardMetricNames(dashboard: Dashboard): string[] {
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      const found = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1]);
      if (found.length === 0) {
        throw new Error(`panel "${panel.title}" has a query without a name{...} selector: ${expr}`);
      }
      found.forEach((name) => names.add(name));
    }
  }
  return [...names].sort();
}

/** The metric family a queried series belongs to, as `# TYPE` names it in /api/metrics. */
export function metricFamily(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}
