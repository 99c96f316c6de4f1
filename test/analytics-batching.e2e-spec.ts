import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FaqAnalyticsService } from '../src/faq/faq-analytics.service';
import { ownerQuery } from './harness/db';
import { ProductApp } from './harness/product-app';

const ROOT = join(__dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function searchRows(tag: string): Promise<Array<{ product: string; n: number }>> {
  return ownerQuery(`select product, count(*)::int as n from faq_analytics where kind = 'search' and query like $1 group by product`, [
    `${tag}%`,
  ]);
}

// Analytics events are queued and stored in batches: none is lost, each is stamped with its product.
describe('batched FAQ analytics', () => {
  it('flush() stores every queued event, stamped with the product; app.close() flushes what is left', async () => {
    const app = await ProductApp.start('realestate');
    const tag = `batch-${randomUUID()}`;
    try {
      await Promise.all(Array.from({ length: 150 }, (_, i) => app.http.get('/api/v1/faq/search').query({ q: `${tag} ${i}` }).expect(200)));
      await app.app.get(FaqAnalyticsService).flush();
      expect(await searchRows(tag)).toEqual([{ product: 'realestate', n: 150 }]);
      await Promise.all(Array.from({ length: 7 }, (_, i) => app.http.get('/api/v1/faq/search').query({ q: `${tag} late ${i}` }).expect(200)));
    } finally {
      await app.close();
    }
    expect(await searchRows(tag)).toEqual([{ product: 'realestate', n: 157 }]);
  });

  it('the built server stores every acknowledged event when stopped with SIGTERM', async () => {
    const port = await freePort();
    const tag = `sigterm-${randomUUID()}`;
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...process.env, PRODUCT: 'bestays', PORT: String(port), DATABASE_URL: process.env.TEST_DATABASE_URL, HTTP_CACHE_MAX_AGE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        const up = await fetch(`${base}/api/health`).then((response) => response.ok, () => false);
        if (up) {
          break;
        }
        if (i > 300 || child.exitCode !== null) {
          throw new Error(`server did not start:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      let acknowledged = 0;
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const response = await fetch(`${base}/api/v1/faq/search?q=${encodeURIComponent(`${tag} ${i}`)}`);
          if (response.status === 200) {
            acknowledged++;
          }
        }),
      );
      expect(acknowledged).toBe(60);
      // Immediately: the batch window (250 ms) has not passed, so the events are still queued.
      child.kill('SIGTERM');
      await exited;
      expect(await searchRows(tag)).toEqual([{ product: 'bestays', n: acknowledged }]);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  }, 60_000);
});
