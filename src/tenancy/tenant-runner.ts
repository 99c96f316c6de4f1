import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { runInTenant } from './tenant-context';

/**
 * The one way to run work outside an HTTP request (boot tasks, seeds, CLI): it takes the product
 * explicitly, checks it is this process's, and gives the work its own EntityManager context.
 */
@Injectable()
export class TenantRunner {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orm: MikroORM,
  ) {}

  async run<T>(product: string, work: () => Promise<T>): Promise<T> {
    if (product !== this.config.product) {
      throw new Error(`this process serves "${this.config.product}" and cannot run work for "${product}"`);
    }
    return runInTenant({ product, requestId: `system-${randomUUID()}`, userId: null }, () =>
      RequestContext.create(this.orm.em, work),
    );
  }
}
