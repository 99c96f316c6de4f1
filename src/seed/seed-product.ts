import { type INestApplicationContext, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { seedChatConfig } from '../chat-config/chat-config.seed';
import { seedFaq } from '../faq/faq.seed';
import { seedFaqSynonyms } from '../faq/faq-synonyms.seed';
import { seedProperties } from '../properties/properties.seed';
import { TenantContext } from '../tenancy/tenant-context';
import { TenantRunner } from '../tenancy/tenant-runner';
import { User } from '../users/user.entity';
import { type ClerkProfile, UsersService } from '../users/users.service';
import { loadSeedData } from './seed-data';

/** The seed's admin (the first thing it writes): whether it is in this product's users. */
export async function demoSeedPresent(app: INestApplicationContext, product: string): Promise<boolean> {
  const em = app.get(MikroORM).em;
  return app.get(TenantRunner).run(product, async () => (await em.count(User, { clerkUserId: SEED_ADMIN })) > 0);
}

const SEED_ADMIN = 'seed_admin';

export interface SeedReport {
  product: string;
  properties: number;
  faqDocuments: number;
  chatConfig: number;
  faqSynonyms: number;
}

/**
 * Demo data for one product (the JSON files of src/seed/data/<product>/), written through the same services as the API (so it is scoped,
 * validated, embedded and audited like any other write). Idempotent: running it again adds nothing.
 */
export async function seedProduct(app: INestApplicationContext, product: string): Promise<SeedReport> {
  const runner = app.get(TenantRunner);
  const tenant = app.get(TenantContext);
  const users = app.get(UsersService);
  // Validated before anything is written: a bad file stops the seed naming the file and field.
  const data = loadSeedData(product);
  const em = app.get(MikroORM).em;
  // A user sync runs in a transaction, as a webhook delivery's does (it locks the user).
  const sync = (profile: ClerkProfile): Promise<User> => em.transactional(async () => (await users.syncFromClerk(profile)).user);
  const report = await runner.run(product, async () => {
    const admin = await sync({
      clerkUserId: SEED_ADMIN,
      email: `admin@${product}.example`,
      firstName: 'Demo',
      lastName: 'Admin',
      role: 'admin',
    });
    tenant.setUser(admin.id);
    const agent = await sync({
      clerkUserId: 'seed_agent',
      email: `agent@${product}.example`,
      firstName: 'Demo',
      lastName: 'Agent',
      role: 'agent',
    });
    return {
      product,
      properties: await seedProperties(app, data.properties, agent),
      faqDocuments: await seedFaq(app, data.faq),
      chatConfig: await seedChatConfig(app, data.chatConfig),
      faqSynonyms: await seedFaqSynonyms(app, product),
    };
  });
  new Logger('Seed').log(
    `${product}: created ${report.properties} properties, ${report.faqDocuments} FAQ documents, ${report.chatConfig} chat-config rows, ${report.faqSynonyms} FAQ synonym groups`,
  );
  return report;
}
