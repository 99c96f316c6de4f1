import { Injectable } from '@nestjs/common';
import { EntityManager, type Transaction } from '@mikro-orm/core';
import type { User } from './user.entity';

/**
 * A deleted user's personal data, erased in the caller's transaction: their Clerk deliveries keep
 * only type and id, their audit entries keep ids but lose email, names and conversation titles,
 * and their conversations (with messages) and settings are deleted. RLS confines every statement
 * to this product; the audit rewrite goes through app_erase_user_audit (the log is append-only).
 */
@Injectable()
export class UserErasure {
  constructor(private readonly em: EntityManager) {}

  async erase(user: User): Promise<void> {
    const connection = this.em.getConnection();
    const tx = this.em.getTransactionContext<Transaction<unknown>>();
    await connection.execute(
      `update webhook_events
       set payload = jsonb_build_object('type', payload->'type', 'object', payload->'object', 'data', jsonb_build_object('id', payload->'data'->'id', 'erased', true))
       where payload->'data'->>'id' = ?`,
      [user.clerkUserId],
      'run',
      tx,
    );
    await connection.execute('delete from conversations where user_id = ?', [user.id], 'run', tx);
    await connection.execute('delete from user_settings where user_id = ?', [user.id], 'run', tx);
    await connection.execute('select app_erase_user_audit(?)', [user.id], 'run', tx);
  }
}
