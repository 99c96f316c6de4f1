import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { ProductRegistry } from '../products/product-registry.service';
import { Lifecycle } from '../lifecycle/lifecycle';
import { expectedCondition } from '../observability/expected-condition';
import type { HealthResponse, LivenessResponse } from './health.dto';

const CHECK_TIMEOUT_MS = 2_000;

class CheckTimedOut extends Error {}

// Errors that mean "no connection could be had because the pool is full", not "the server is gone".
function isPoolSaturation(error: unknown): boolean {
  return error instanceof Error && (error.name === 'KnexTimeoutError' || /pool is probably full|timeout acquiring/i.test(error.message));
}

@Injectable()
export class HealthService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orm: MikroORM,
    private readonly registry: ProductRegistry,
    private readonly lifecycle: Lifecycle,
  ) {}

  live(): LivenessResponse {
    return { status: 'ok', product: this.config.product };
  }

  async check(): Promise<HealthResponse> {
    const product = this.config.product;
    const database = await this.database();
    // Shutting down: not ready, whatever the database says, so a load balancer moves on first.
    if (this.lifecycle.draining) {
      return { status: 'shutting_down', product, database };
    }
    if (database !== 'up') {
      return { status: 'error', product, database };
    }
    return { status: this.registry.suspended ? 'suspended' : 'ok', product, database };
  }

  private async database(): Promise<HealthResponse['database']> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // A real round trip on the runtime pool, bounded so a stuck database cannot hang the probe.
      await Promise.race([
        this.orm.em.getConnection().execute('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new CheckTimedOut()), CHECK_TIMEOUT_MS);
        }),
      ]);
      return 'up';
    } catch (error) {
      // Connected but saturated (no connection free within the bound) or slow: busy, not down.
      const busy = error instanceof CheckTimedOut || isPoolSaturation(error);
      expectedCondition(
        busy ? 'database busy' : 'database down',
        `readiness check failed: ${error instanceof Error ? error.message || error.name : String(error)}`,
      );
      return busy ? 'busy' : 'down';
    } finally {
      clearTimeout(timer);
    }
  }
}
