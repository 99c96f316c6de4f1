// `node bench/boot.mjs [rounds] [distDir...]`: cold and warm start of the built app on the embedded
// PostgreSQL, as section 1 of bench/run.mjs measures them (spawn `node dist/main.js` on a new data dir,
// poll /api/health), `rounds` times (default 5), with medians. Several dist folders (another build, say
// main's) are measured in turn, round by round, so a busy machine's noise falls on all of them alike.
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { root, spawnServer, stop } from './lib.mjs';

const [roundsArg, ...distArgs] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const dists = distArgs.length > 0 ? distArgs.map((dir) => resolve(dir)) : [join(root, 'dist')];
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const times = new Map(dists.map((dist) => [dist, { cold: [], warm: [] }]));
for (let round = 1; round <= rounds; round++) {
  for (const dist of dists) {
    const dataDir = join(tmpdir(), `bench-boot-${process.pid}-${round}`);
    const env = { PRODUCT: 'bestays', DATABASE_URL: '', EMBEDDED_PG_DATA_DIR: dataDir, CLERK_JWT_KEY: publicPem };
    try {
      for (const kind of ['cold', 'warm']) {
        const server = await spawnServer([join(dist, 'main.js')], env);
        times.get(dist)[kind].push(Math.round(server.bootMs));
        await stop(server.child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}.seed-bestays.json`, { force: true }); // the start's seed record, beside the data dir
    }
    const { cold, warm } = times.get(dist);
    console.log(`[boot] round ${round} ${dist}: cold ${cold.at(-1)} ms, warm ${warm.at(-1)} ms (load ${loadavg()[0].toFixed(1)})`);
  }
}
for (const [dist, { cold, warm }] of times) {
  console.log(`[boot] ${dist}: median cold ${median(cold)} ms, warm ${median(warm)} ms over ${rounds} rounds`);
}
