import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEED_DATA_DIR } from './seed-data';

// Bump when the seed's code (not its data files) changes what a seed writes: every local database
// then gets the seed again on its next start.
const SEED_CODE_VERSION = 1;

/**
 * Remembers, next to an embedded PostgreSQL data folder, that this product's demo seed (this version
 * of its data and code) was applied to that cluster, so later starts skip it (~0.3 s of a warm start).
 * The record names the cluster by its system identifier (pg_control) and by the data folder itself
 * (inode and birth time): a data folder deleted and made again is a new cluster, and gets the seed
 * again, even when it is a copy of the same initdb template (copies share the system identifier).
 */
export class SeedMarker {
  private readonly file: string;

  constructor(
    private readonly dataDir: string,
    private readonly product: string,
  ) {
    const resolved = path.resolve(dataDir);
    // Beside the folder, like the launcher's state and lock files (initdb wants the folder itself to itself).
    this.file = path.join(path.dirname(resolved), `${path.basename(resolved)}.seed-${product}.json`);
  }

  /** True when this cluster already has this product's current seed. Any doubt (no file, unreadable, another cluster or version) is false. */
  isCurrent(): boolean {
    try {
      const recorded = JSON.parse(readFileSync(this.file, 'utf8')) as { cluster?: unknown; fingerprint?: unknown };
      return recorded.cluster === this.cluster() && recorded.fingerprint === seedFingerprint(this.product);
    } catch {
      return false;
    }
  }

  /** After a successful seed. Best effort: a record that cannot be written only means the seed runs again next time. */
  record(): void {
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ cluster: this.cluster(), fingerprint: seedFingerprint(this.product), seededAt: new Date().toISOString() }) + '\n');
      renameSync(tmp, this.file);
    } catch {
      // ignored, see above
    }
  }

  // pg_control begins with the cluster's 64-bit system identifier, chosen by initdb; the folder's
  // inode and birth time tell a new folder from the old one (an inode alone may be reused at once).
  private cluster(): string {
    const folder = statSync(this.dataDir);
    const fd = openSync(path.join(this.dataDir, 'global', 'pg_control'), 'r');
    try {
      const head = Buffer.alloc(8);
      if (readSync(fd, head, 0, 8, 0) !== 8) {
        throw new Error('pg_control is too short');
      }
      return `${head.readBigUInt64LE(0).toString()}:${folder.ino}:${folder.birthtimeMs}`;
    } finally {
      closeSync(fd);
    }
  }
}

/** A hash of the product's seed data files (src/seed/data/<product>/) and of SEED_CODE_VERSION. */
export function seedFingerprint(product: string): string {
  const hash = createHash('sha256').update(`seed-code-v${SEED_CODE_VERSION}\n`);
  const folder = path.join(SEED_DATA_DIR, product);
  let files: string[] = [];
  try {
    files = readdirSync(folder).sort();
  } catch {
    // no data folder: no demo data, still a fingerprint
  }
  for (const name of files) {
    hash.update(`${name}\n`).update(readFileSync(path.join(folder, name))).update('\n');
  }
  return hash.digest('hex');
}
