import { Injectable, Logger, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { describeError } from '../common/describe-error';
import { TenantRunner } from '../tenancy/tenant-runner';

/** Work a feature wants done once the process serves (catching up on what changed while it was down). */
export interface BootTask {
  /** Runs in this product's tenant context; says what it did, or undefined when there was nothing to do. */
  run(): Promise<string | undefined>;
}

/** Marks a provider implementing BootTask: `@RegisterBootTask('faq-embeddings')`. The feature's module provides it. */
export const RegisterBootTask = DiscoveryService.createDecorator<string>();

@Injectable()
export class BootTasks {
  private readonly logger = new Logger('BootTasks');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly runner: TenantRunner,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  names(): string[] {
    return [...this.tasks().keys()];
  }

  /** Runs one task now, for `product` (only this process's own product is accepted). */
  run(name: string, product = this.config.product): Promise<string | undefined> {
    const task = this.tasks().get(name);
    if (!task) {
      return Promise.reject(new Error(`no boot task named "${name}"`));
    }
    return this.runner.run(product, () => task.run());
  }

  /** Starts every task in the background (main.ts, after listen); a failure is logged, never fatal. Settles when all have. */
  async startAll(): Promise<void> {
    await Promise.all(
      this.names().map((name) =>
        this.run(name)
          .then((report) => report && this.logger.log(`${name}: ${report}`))
          .catch((error: unknown) => this.logger.warn(`${name} failed: ${describeError(error)}`)),
      ),
    );
  }

  private tasks(): Map<string, BootTask> {
    const found = new Map<string, BootTask>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: RegisterBootTask.KEY })) {
      const name = this.discovery.getMetadataByDecorator(RegisterBootTask, wrapper);
      if (name && wrapper.instance) {
        found.set(name, wrapper.instance as BootTask);
      }
    }
    return found;
  }
}

@Module({
  imports: [DiscoveryModule],
  providers: [BootTasks],
  exports: [BootTasks],
})
export class BootModule {}
