import { Injectable } from '@nestjs/common';

/**
 * The process's serving state, shared by readiness, the HTTP guard rails and shutdown. Background
 * work registers here (`track`) so shutdown waits for it; modules that own a batch or a queue flush it
 * in Nest's `beforeApplicationShutdown` / `onApplicationShutdown` hooks, which run after the drain.
 */
@Injectable()
export class Lifecycle {
  private drainingSince?: number;
  private active = 0;
  private readonly background = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private readonly drainHooks: Array<() => void> = [];

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  get inFlight(): number {
    return this.active;
  }

  startDraining(): void {
    if (this.drainingSince === undefined) {
      this.drainingSince = Date.now();
      this.drainHooks.forEach((hook) => hook());
    }
  }

  /** Runs once when draining starts (e.g. stop taking new background work). */
  onDrain(hook: () => void): void {
    this.drainHooks.push(hook);
  }

  requestStarted(): void {
    this.active += 1;
  }

  requestEnded(): void {
    this.active -= 1;
    if (this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((wake) => wake());
    }
  }

  /** Background work (boot catch-ups, flushes) that shutdown waits for, within its bound. */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.background.add(settled);
    void settled.then(() => this.background.delete(settled));
  }

  /** Resolves true once no request is in flight and tracked work is done, false at the deadline. */
  async settle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    const idle = new Promise<void>((resolve) => (this.active === 0 ? resolve() : this.idleWaiters.push(resolve)));
    const done = Promise.all([idle, ...this.background]).then(() => true);
    try {
      return await Promise.race([done, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
