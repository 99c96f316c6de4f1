import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/app-config';
import { prepareDatabase } from './migrate';

// `npm run migration:up`: the same migrations and role provisioning the server runs at boot.
async function main(): Promise<void> {
  const logger = new Logger('Migrations');
  const config = loadConfig(process.env);
  if (!config.databaseUrl) {
    throw new Error('DATABASE_URL must be set to run migrations by hand (npm start migrates the embedded database itself)');
  }
  await prepareDatabase(config.databaseUrl, config.product, logger, config.allowedProducts);
  logger.log(`schema is up to date; runtime role for "${config.product}" is provisioned`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
