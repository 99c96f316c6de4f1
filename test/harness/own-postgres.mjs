// A PostgreSQL server of one test's own, in a child process (plain Node, never transformed by Jest):
// prints {"url","port"} once ready, stops when its stdin says "stop" or closes.
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.mjs';

const dataDir = process.argv[2];
const quiet = { log: () => {}, warn: () => {} };
const server = await startEmbeddedPostgres({ dataDir, persistent: true, log: quiet });
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) {return;}
  stopping = true;
  await server.stop();
  process.stdout.write('stopped\n');
  process.exit(0);
};
createInterface({ input: process.stdin }).on('line', (line) => line.trim() === 'stop' && void stop());
process.stdin.on('end', () => void stop());
