import { Logger } from '@nestjs/common';
import { describeError } from '../common/describe-error';
import { loadConfig } from '../config/app-config';
import { prepareFromConfig } from './admin-url';

// `npm run migration:up` (compose's one-shot `migrate` service): the migrations the server runs at
// boot, and the runtime role of every product in ALLOWED_PRODUCTS, as the owner.
async function main(): Promise<void> {
  const logger = new Logger('Migrations');
  const config = loadConfig({ PRODUCT: process.env.PRODUCT ?? process.env.ALLOWED_PRODUCTS?.split(',')[0]?.trim(), ...process.env });
  if (!config.databaseUrl) {
    throw new Error('DATABASE_URL (or MIGRATION_DATABASE_URL) must be set to run migrations by hand (npm start migrates the embedded database itself)');
  }
  for (const product of config.allowedProducts) {
    await prepareFromConfig(config, product, logger);
    logger.log(`schema is up to date; runtime role for "${product}" is provisioned`);
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
