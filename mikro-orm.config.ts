// MikroORM options for tooling (e.g. a MikroORM CLI session); the app builds the same options in
// src/database/orm-options.ts with the runtime role's URL, which is what every request uses.
import { ormOptions } from './src/database/orm-options';
import { AuditLog } from './src/audit/audit-log.entity';
import { User } from './src/users/user.entity';
import { WebhookEvent } from './src/webhooks/webhook-event.entity';

export default {
  ...ormOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
  entities: [User, AuditLog, WebhookEvent],
};
