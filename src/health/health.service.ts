import { Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { describeError } from '../common/describe-error';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { ProductRegistry } from '../products/product-registry.service';
import type { HealthResponse } from './health.dto';

const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orm: MikroORM,
    private readonly registry: ProductRegistry,
  ) {}

  async check(): Promise<HealthResponse> {
    const product = this.config.product;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A real round trip on the runtime pool, bounded so a stuck database cannot hang the probe.
      await Promise.race([
        this.orm.em.getConnection().execute('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database check timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return { status: this.registry.suspended ? 'suspended' : 'ok', product, database: 'up' };
    } catch (error) {
      this.logger.warn(`database check failed: ${describeError(error)}`);
      return { status: 'error', product, database: 'down' };
    } finally {
      clearTimeout(timer);
    }
  }
}
