import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './spawn-server';

// A PostgreSQL primary and a streaming replica of the test's own, from the system's PostgreSQL 15
// binaries (the embedded server is 17 and ships no pg_basebackup). As root, they run as the
// `postgres` OS user; both live in a temp dir and are stopped and removed by stop().
export const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function systemPostgresMissing(): string | null {
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    if (!existsSync(join(PG_BIN, tool))) {
      return `${join(PG_BIN, tool)} is missing (install postgresql-15, or set TEST_PG_BIN)`;
    }
  }
  if (userInfo().uid === 0 && !osUser('postgres')) {
    return 'running as root needs a `postgres` OS user to run PostgreSQL as';
  }
  return null;
}

function osUser(name: string): { uid: number; gid: number } | null {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' })),
    };
  } catch {
    return null;
  }
}

export class PgCluster {
  private constructor(
    private readonly dir: string,
    private readonly runAs: ExecFileSyncOptions,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  /** Superuser URL of a database on the primary or the replica. */
  url(where: 'primary' | 'replica', database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${where === 'primary' ? this.primaryPort : this.replicaPort}/${database}`;
  }

  static async start(): Promise<PgCluster> {
    const dir = mkdtempSync('/tmp/pg-replica-test-');
    chmodSync(dir, 0o755);
    const user = userInfo().uid === 0 ? osUser('postgres') : null;
    if (user) {
      chownSync(dir, user.uid, user.gid);
    }
    const runAs: ExecFileSyncOptions = { stdio: 'pipe', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { PATH: process.env.PATH, LC_ALL: 'C' } };
    const cluster = new PgCluster(dir, runAs, await freePort(), await freePort());
    try {
      cluster.run('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync']);
      cluster.pgCtl('primary', cluster.primaryPort);
      // Copies the running primary and writes primary_conninfo + standby.signal (-R).
      cluster.run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(cluster.primaryPort), '-U', 'postgres', '-D', join(dir, 'replica'), '-R', '-X', 'stream']);
      cluster.pgCtl('replica', cluster.replicaPort);
    } catch (error) {
      cluster.stop();
      throw error;
    }
    return cluster;
  }

  stop(): void {
    for (const node of ['replica', 'primary']) {
      if (existsSync(join(this.dir, node, 'postmaster.pid'))) {
        try {
          this.run('pg_ctl', ['-D', join(this.dir, node), '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(node: string, port: number): void {
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=100`;
    this.run('pg_ctl', ['-D', join(this.dir, node), '-o', options, '-l', join(this.dir, `${node}.log`), '-w', '-t', '60', 'start']);
  }

  private run(tool: string, args: string[]): void {
    execFileSync(join(PG_BIN, tool), args, { ...this.runAs, cwd: this.dir });
  }
}
