import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AGREED_METRICS, dashboardMetricNames, type Dashboard } from './harness/dashboards';

// Docker cannot pull images on this machine, so the deployment files are checked as data: the
// compose file's services, dependencies, credentials and healthchecks, and the Grafana dashboards.
const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  restart?: string;
  env_file?: string | string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}

// Interpolated as `docker compose` does (${NAME:?message} must be set), with recognisable secrets.
const SECRETS = {
  POSTGRES_PASSWORD: 'owner-secret-0123456789',
  BESTAYS_DB_PASSWORD: 'bestays-secret-0123456789',
  REALESTATE_DB_PASSWORD: 'realestate-secret-0123456789',
  GRAFANA_ADMIN_PASSWORD: 'grafana-secret-0123456789',
};
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::\?[^}]*)?\}/g, (_match, name: string) => {
    if (env[name] === undefined) {
      throw new Error(`docker-compose.yml uses \${${name}} which the test does not set`);
    }
    return env[name];
  });
}
const compose = parse(interpolate(read('docker-compose.yml'), SECRETS)) as { services: Record<string, Service> };
const services = compose.services;
const APPS = ['bestays-1', 'bestays-2', 'realestate-1', 'realestate-2'];
const productOf = (name: string) => name.replace(/-\d+$/, '');

function envFileText(service: Service): string {
  const files = service.env_file === undefined ? [] : ([] as string[]).concat(service.env_file);
  return files.map((file) => read(file)).join('\n');
}

describe('docker-compose.yml', () => {
  it('has PostgreSQL 17, PgBouncer, Redis, a one-shot migrate, two replicas per product, nginx, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['postgres', 'pgbouncer', 'redis', 'migrate', ...APPS, 'nginx', 'prometheus', 'grafana'].sort(),
    );
    expect(services.postgres.image).toMatch(/^postgres:17(\.|$|-)/);
    expect(services.migrate.command).toEqual(['node', 'dist/database/migrate.cli.js']);
    expect(services.migrate.restart).toBe('no');
  });

  it('every long-running service restarts unless stopped and has a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') {
        continue;
      }
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, test: Array.isArray(service.healthcheck?.test) && !service.healthcheck?.disable }).toEqual({ name, test: true });
    }
  });

  it('the apps start after migrate succeeded, behind PgBouncer and with Redis; nginx waits for healthy apps', () => {
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.pgbouncer.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const app of APPS) {
      expect(services[app].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        pgbouncer: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(services[app].environment?.PRODUCT).toBe(productOf(app));
      expect(services[app].environment?.NODE_ENV).toBe('production');
      expect(services[app].environment?.REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
      expect(services[app].ports).toBeUndefined(); // reached through nginx only
    }
    expect(services.nginx.depends_on).toEqual(Object.fromEntries(APPS.map((app) => [app, { condition: 'service_healthy' }])));
    expect(services.nginx.ports?.sort()).toEqual(['8011:8011', '8012:8012']);
  });

  it('only migrate holds the owner credentials; each app holds only its own runtime role, through PgBouncer', () => {
    const ownerUser = 'platform_owner';
    const migrateUrl = new URL(services.migrate.environment?.DATABASE_URL ?? '');
    expect(migrateUrl.username).toBe(ownerUser);
    expect(migrateUrl.host).toBe('postgres:5432');
    expect(Object.keys(services.migrate.environment ?? {})).toEqual(
      expect.arrayContaining(['RUNTIME_ROLE_PASSWORD_BESTAYS', 'RUNTIME_ROLE_PASSWORD_REALESTATE']),
    );

    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate' || name === 'postgres') {
        continue;
      }
      const everything = JSON.stringify(service) + envFileText(service);
      expect({ name, owner: everything.includes(ownerUser) || everything.includes(SECRETS.POSTGRES_PASSWORD) }).toEqual({ name, owner: false });
      expect({ name, migration: everything.includes('MIGRATION_DATABASE_URL') }).toEqual({ name, migration: false });
    }
    for (const app of APPS) {
      const product = productOf(app);
      const other = product === 'bestays' ? 'realestate' : 'bestays';
      const env = services[app].environment ?? {};
      const url = new URL(env.DATABASE_URL);
      expect(url.username).toBe(`platform_app_${product}`);
      expect(url.host).toBe('pgbouncer:6432');
      expect(decodeURIComponent(url.password)).toBe(SECRETS[`${product.toUpperCase()}_DB_PASSWORD` as keyof typeof SECRETS]);
      const everything = JSON.stringify(services[app]) + envFileText(services[app]);
      expect(everything).not.toContain(SECRETS[`${other.toUpperCase()}_DB_PASSWORD` as keyof typeof SECRETS]);
      expect(everything).not.toContain(`platform_app_${other}`);
      expect(everything).not.toMatch(/DATABASE_URL=\S/); // the env file sets no database URL
      expect(env.DATABASE_POOL_MAX).toMatch(/^\d+$/);
      expect(env.DATABASE_ACQUIRE_TIMEOUT_MS).toMatch(/^\d+$/);
    }
  });

  it('PgBouncer pools by transaction and knows the runtime roles only', () => {
    const ini = read('deploy/pgbouncer/pgbouncer.ini');
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    const entrypoint = read('deploy/pgbouncer/entrypoint.sh');
    expect(entrypoint).toContain('platform_app_bestays');
    expect(entrypoint).toContain('platform_app_realestate');
    expect(entrypoint + JSON.stringify(services.pgbouncer)).not.toMatch(new RegExp(`platform_owner|POSTGRES_PASSWORD|${SECRETS.POSTGRES_PASSWORD}`));
  });

  it('nginx spreads each product over its two replicas on its own port; Prometheus scrapes every replica', () => {
    const nginx = read('deploy/nginx/nginx.conf');
    for (const [product, port] of [
      ['bestays', 8011],
      ['realestate', 8012],
    ] as const) {
      const upstream = new RegExp(`upstream ${product} \\{[^}]*server ${product}-1:3000[^}]*server ${product}-2:3000[^}]*\\}`);
      expect(nginx).toMatch(upstream);
      expect(nginx).toMatch(new RegExp(`listen ${port};\\n(?:[^\\n]*\\n){0,3}?\\s*location / \\{ proxy_pass http://${product}; \\}`));
    }
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((job) => {
      expect(job.metrics_path).toBe('/api/metrics');
      return job.static_configs.flatMap((config) => config.targets);
    });
    expect(targets.sort()).toEqual(APPS.map((app) => `${app}:3000`).sort());
  });
});

// Debian's docker-compose (v1) renders and validates the file offline; optional on a machine without it.
const dockerCompose = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((path) => existsSync(path));
(dockerCompose ? describe : describe.skip)('docker-compose config (offline render)', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(dockerCompose as string, ['config', '-q'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

  it('renders with the secrets set, and refuses to without them, naming the missing one', () => {
    const ok = run(SECRETS);
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const missing = run({ ...SECRETS, POSTGRES_PASSWORD: '' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('POSTGRES_PASSWORD');
  });
});

describe('Grafana dashboards (deploy/grafana/dashboards)', () => {
  const files = readdirSync(join(root, 'deploy/grafana/dashboards')).filter((file) => file.endsWith('.json'));
  const dashboards = Object.fromEntries(files.map((file) => [file.replace(/\.json$/, ''), JSON.parse(read(`deploy/grafana/dashboards/${file}`)) as Dashboard]));

  it('one per product, each querying only its own product', () => {
    expect(Object.keys(dashboards).sort()).toEqual(['bestays', 'realestate']);
    for (const [product, dashboard] of Object.entries(dashboards)) {
      const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
      for (const expr of exprs) {
        const products = [...expr.matchAll(/product="([^"]*)"/g)].map((match) => match[1]);
        expect(products.length).toBeGreaterThan(0);
        expect(new Set(products)).toEqual(new Set([product]));
      }
    }
  });

  it('shows request rate, error rate, p50/p99 by route, pool use, rate-limit rejections, webhook outcomes and LLM tokens', () => {
    for (const dashboard of Object.values(dashboards)) {
      const all = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
      expect(all).toMatch(/sum by \(route\) \(rate\(http_requests_total\{/);
      expect(all).toMatch(/status=~"5\.\."/);
      expect(all).toMatch(/histogram_quantile\(0\.5, sum by \(le, route\) \(rate\(http_request_duration_seconds_bucket/);
      expect(all).toMatch(/histogram_quantile\(0\.99, sum by \(le, route\) \(rate\(http_request_duration_seconds_bucket/);
      for (const name of ['db_pool_connections_in_use', 'db_pool_connections_waiting', 'rate_limit_rejections_total', 'webhook_deliveries_total', 'llm_tokens_total']) {
        expect(dashboardMetricNames(dashboard)).toContain(name);
      }
    }
  });

  it('queries only the agreed metric names', () => {
    for (const dashboard of Object.values(dashboards)) {
      const unknown = dashboardMetricNames(dashboard).filter((name) => !AGREED_METRICS.has(name));
      expect(unknown).toEqual([]);
    }
  });

  it('the two products\' dashboards are the same but for the product', () => {
    const normalise = (dashboard: Dashboard, product: string) => JSON.stringify(dashboard).split(product).join('<product>');
    expect(normalise(dashboards.realestate, 'realestate')).toBe(normalise(dashboards.bestays, 'bestays'));
  });
});
