import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

const SCRIPT = path.join(__dirname, 'own-postgres.mjs');

/**
 * An embedded PostgreSQL that a test may stop and start again, behind a loopback TCP proxy whose
 * port stays the same across restarts (the embedded server picks a new port each start).
 */
export class OwnPostgres {
  private child?: ChildProcessWithoutNullStreams;
  private target?: number;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly dataDir: string,
    private readonly proxy: Server,
    readonly port: number,
    private password = '',
  ) {}

  static async start(name: string): Promise<OwnPostgres> {
    const dataDir = path.join(__dirname, '..', '..', '.data', `${name}-${process.pid}-${Date.now()}`);
    const proxy = createServer();
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const own = new OwnPostgres(dataDir, proxy, port);
    proxy.on('connection', (socket) => own.forward(socket));
    await own.up();
    return own;
  }

  /** Superuser URL through the proxy. */
  get url(): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/postgres`;
  }

  async up(): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, this.dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
    });
    const { url, port } = JSON.parse(first) as { url: string; port: number };
    this.password = decodeURIComponent(new URL(url).password);
    this.child = child;
    this.target = port;
  }

  /** A real shutdown: open connections are terminated by the server, new ones are refused. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.target = undefined;
    if (!child) {
      return;
    }
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.write('stop\n');
    });
    this.sockets.forEach((socket) => socket.destroy());
  }

  async close(): Promise<void> {
    await this.down();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private forward(client: Socket): void {
    if (this.target === undefined) {
      // Nothing listens behind the proxy: the client sees the connection reset, as with a dead server.
      client.resetAndDestroy();
      return;
    }
    const server = new Socket();
    this.sockets.add(client);
    const drop = () => {
      this.sockets.delete(client);
      client.destroy();
      server.destroy();
    };
    server.connect(this.target, '127.0.0.1');
    client.pipe(server).pipe(client);
    client.on('error', drop).on('close', drop);
    server.on('error', drop).on('close', drop);
  }
}
