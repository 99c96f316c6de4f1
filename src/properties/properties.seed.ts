import { type INestApplicationContext } from '@nestjs/common';
import { type User } from '../users/user.entity';
import { type CreatePropertyBody } from './properties.dto';
import { PropertiesService } from './properties.service';

/**
 * Demo listings (validated seed data, see src/seed/seed-data.ts) owned by `owner`, created in the
 * caller's tenant context. Idempotent: titles that exist are skipped. Returns how many it created.
 */
export async function seedProperties(app: INestApplicationContext, listings: CreatePropertyBody[], owner: User): Promise<number> {
  const properties = app.get(PropertiesService);
  const existing = await properties.existingTitles(listings.map((listing) => listing.title));
  const missing = listings.filter((listing) => !existing.has(listing.title));
  return (await properties.createMany(missing, owner)).length;
}
