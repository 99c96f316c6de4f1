// MikroORM options for tooling (e.g. a MikroORM CLI session): the same options and entities as the
// app (src/database/orm-options.ts, src/database/entities.ts). The app connects as the product's
// runtime role; a tooling session uses DATABASE_URL as given.
import { ALL_ENTITIES } from './src/database/entities';
import { ormOptions } from './src/database/orm-options';

export default {
  ...ormOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
  entities: ALL_ENTITIES,
};
