import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

/** `npm test` builds first; a bare `npx jest` run may not have. */
export function ensureBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'main.js'))) {
    execFileSync('npx', ['nest', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The built server (`node dist/main.js`) with only the given environment (plus PATH and HOME). */
export class ServerProcess {
  private stdoutText = '';
  private stderrText = '';
  readonly exit: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>, script = 'dist/main.js') {
    this.child = spawn(process.execPath, [script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk) => (this.stdoutText += String(chunk)));
    this.child.stderr?.on('data', (chunk) => (this.stderrText += String(chunk)));
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.stdoutText + this.stderrText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`gave up waiting for ${pattern}: ${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }
}
