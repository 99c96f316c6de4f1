import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SeedMarker, seedFingerprint } from './seed-marker';

describe('SeedMarker', () => {
  let root: string;
  let dataDir: string;
  const initdb = (systemIdentifier: bigint): void => {
    const control = Buffer.alloc(8192);
    control.writeBigUInt64LE(systemIdentifier, 0);
    mkdirSync(path.join(dataDir, 'global'), { recursive: true });
    writeFileSync(path.join(dataDir, 'global', 'pg_control'), control);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'seed-marker-'));
    dataDir = path.join(root, 'postgres');
    initdb(7_300_000_000_000_000_001n);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is not current until recorded, then is, for that product only', () => {
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
    new SeedMarker(dataDir, 'bestays').record();
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(true);
    expect(new SeedMarker(dataDir, 'realestate').isCurrent()).toBe(false);
  });

  it('is not current for a data folder initialised again (another cluster), nor without a cluster', () => {
    new SeedMarker(dataDir, 'bestays').record();
    initdb(7_300_000_000_000_000_002n);
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
    rmSync(dataDir, { recursive: true });
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
  });

  it('is not current for a data folder made again with the same system identifier (a copy of the initdb template)', () => {
    new SeedMarker(dataDir, 'bestays').record();
    // Moved away, not deleted, until the new folder exists: the new one cannot get the old inode.
    renameSync(dataDir, path.join(root, 'old'));
    initdb(7_300_000_000_000_000_001n);
    rmSync(path.join(root, 'old'), { recursive: true });
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
  });

  it('is not current when the recorded seed is another version of the data', () => {
    new SeedMarker(dataDir, 'bestays').record();
    const file = path.join(root, 'postgres.seed-bestays.json');
    const { cluster } = JSON.parse(readFileSync(file, 'utf8')) as { cluster: string };
    writeFileSync(file, JSON.stringify({ cluster, fingerprint: seedFingerprint('realestate') }));
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
    writeFileSync(file, 'not json');
    expect(new SeedMarker(dataDir, 'bestays').isCurrent()).toBe(false);
  });

  it('fingerprints differ between products with different data', () => {
    expect(seedFingerprint('bestays')).not.toBe(seedFingerprint('realestate'));
    expect(seedFingerprint('bestays')).toBe(seedFingerprint('bestays'));
  });
});
