import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { BootTasks } from '../boot/boot-tasks';
import { loadConfig } from '../config/app-config';
import { prepareFromConfig } from '../database/admin-url';
import { seedProduct } from './seed-product';

// `npm run seed`: demo data for every allowed product, each written as that product's runtime role.
async function main(): Promise<void> {
  const logger = new Logger('Seed');
  const base = loadConfig(process.env);
  for (const product of base.allowedProducts) {
    const config = { ...base, product };
    const { runtimeUrl: runtimeDatabaseUrl } = await prepareFromConfig(config, product, logger);
    const app = await NestFactory.createApplicationContext(AppModule.register({ config, runtimeDatabaseUrl }), {
      logger: ['error', 'warn', 'log'],
    });
    try {
      await seedProduct(app, product);
      // No server runs the features' catch-up work after this seed (FAQ vectors the seed could not
      // embed, say): run it here.
      await app.get(BootTasks).startAll();
    } finally {
      await app.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('Seeding failed:', error);
    process.exit(1);
  },
);
