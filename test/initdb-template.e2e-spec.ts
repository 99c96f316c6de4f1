import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The embedded PostgreSQL's template cluster (src/database/initdb-template.mjs): the first initdb is
// kept, later new data dirs are copies of it. Each start runs in a child process (the launcher is ESM).
const SCRIPT = path.join(__dirname, 'harness', 'embedded-once.mjs');
const root = path.join(__dirname, '..', '.data', `template-test-${process.pid}`);

function start(dataDir: string, template: string, sql?: string): Array<Record<string, unknown>> {
  const run = spawnSync(process.execPath, [SCRIPT, dataDir, ...(sql ? [sql] : [])], {
    env: { ...process.env, EMBEDDED_PG_TEMPLATE: template },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) {
    throw new Error(`embedded start failed (${run.status}): ${run.stderr}`);
  }
  return (JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: Array<Record<string, unknown>> }).rows;
}

const templatesIn = (folder: string): string[] => (existsSync(folder) ? readdirSync(folder) : []);

describe('embedded PostgreSQL: the initdb template', () => {
  let templates: string;

  beforeEach(() => {
    templates = mkdtempSync(path.join(tmpdir(), 'pg-templates-'));
  });
  afterEach(() => rmSync(templates, { recursive: true, force: true }));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the first initdb as a template and copies it into the next new data dir', () => {
    expect(start(path.join(root, 'first'), templates)).toEqual([{ ok: 1 }]);
    const [key] = templatesIn(templates);
    expect(templatesIn(templates)).toHaveLength(1);
    const template = path.join(templates, key);
    expect(existsSync(path.join(template, 'PG_VERSION'))).toBe(true);
    // Never started: no server ever wrote there.
    expect(existsSync(path.join(template, 'postmaster.pid'))).toBe(false);
    expect(statSync(template).mode & 0o777).toBe(0o700);

    // A file only the template has: the next data dir must be a copy, not a new initdb.
    writeFileSync(path.join(template, 'copied-from-template'), 'yes');
    const second = path.join(root, 'second');
    expect(start(second, templates, `select current_setting('server_encoding') as encoding`)).toEqual([{ encoding: 'UTF8' }]);
    expect(existsSync(path.join(second, 'copied-from-template'))).toBe(true);
    // Postgres refuses a data dir others can read; the copy keeps the mode (and, as root, the owner).
    expect(statSync(second).mode & 0o777).toBe(0o700);
    expect(statSync(second).uid).toBe(statSync(template).uid);
  });

  it('gives every copy its own data: a table made in one cluster is not in the next', () => {
    start(path.join(root, 'a'), templates, 'create table only_in_a (id int)');
    const rows = start(path.join(root, 'b'), templates, `select to_regclass('only_in_a') is null as absent`);
    expect(rows).toEqual([{ absent: true }]);
    // And the template itself stayed as initdb left it.
    const again = start(path.join(root, 'c'), templates, `select to_regclass('only_in_a') is null as absent`);
    expect(again).toEqual([{ absent: true }]);
  });

  it('ignores a template folder without a cluster (no PG_VERSION): initdb runs and makes the template again', () => {
    start(path.join(root, 'seed'), templates);
    const [key] = templatesIn(templates);
    const template = path.join(templates, key);
    rmSync(template, { recursive: true, force: true });
    mkdirSync(template);
    expect(start(path.join(root, 'after-empty'), templates)).toEqual([{ ok: 1 }]);
    expect(existsSync(path.join(template, 'PG_VERSION'))).toBe(true);
    expect(templatesIn(templates)).toEqual([key]); // no partial copies left behind
  });

  it('is off with EMBEDDED_PG_TEMPLATE=0', () => {
    expect(start(path.join(root, 'off'), '0')).toEqual([{ ok: 1 }]);
    expect(templatesIn(templates)).toEqual([]);
  });
});
