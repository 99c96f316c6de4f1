import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';

// Reviewed raw SQL (see eslint.config.mjs): aggregates the ORM cannot express without loading rows.
// No product condition on purpose: these run on the product's runtime role, and row-level security
// adds `product = app_current_product()` to every table.

export interface DayUsageRow {
  day: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface UserUsageRow {
  userId: string | null;
  email: string | null;
  calls: number;
  totalTokens: number;
}

const SPENT_SQL = `
select coalesce(sum(total_tokens), 0)::float8 as tokens
from llm_usage
where day >= ?::date and day <= ?::date`;

const SPENT_BY_USER_SQL = `${SPENT_SQL} and user_id = ?`;

const DAILY_SQL = `
select to_char(day, 'YYYY-MM-DD') as day, count(*)::int as calls,
  sum(prompt_tokens)::float8 as "promptTokens", sum(completion_tokens)::float8 as "completionTokens",
  sum(total_tokens)::float8 as "totalTokens"
from llm_usage
where day >= ?::date and day <= ?::date
group by day
order by day asc`;

const TOP_USERS_SQL = `
select u.user_id as "userId", us.email, u.calls, u."totalTokens"
from (
  select user_id, count(*)::int as calls, sum(total_tokens)::float8 as "totalTokens"
  from llm_usage
  where day >= ?::date and day <= ?::date
  group by user_id
) u
left join users us on us.id = u.user_id
order by u."totalTokens" desc, u.user_id asc nulls last
limit ?`;

const MESSAGE_COUNTS_SQL = `
select conversation_id as id, count(*)::int as n
from chat_messages
where conversation_id = any(?::uuid[])
group by conversation_id`;

@Injectable()
export class LlmRepository {
  constructor(private readonly em: EntityManager) {}

  /** Tokens used between two UTC days (inclusive), by the product or by one user. */
  async spent(from: string, to: string, userId?: string): Promise<number> {
    const rows = (await this.em
      .getConnection()
      .execute(userId ? SPENT_BY_USER_SQL : SPENT_SQL, userId ? [from, to, userId] : [from, to])) as Array<{ tokens: number }>;
    return Number(rows[0]?.tokens ?? 0);
  }

  async daily(from: string, to: string): Promise<DayUsageRow[]> {
    return (await this.em.getConnection().execute(DAILY_SQL, [from, to])) as DayUsageRow[];
  }

  async topUsers(from: string, to: string, limit: number): Promise<UserUsageRow[]> {
    return (await this.em.getConnection().execute(TOP_USERS_SQL, [from, to, limit])) as UserUsageRow[];
  }

  async messageCounts(conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) {
      return new Map();
    }
    const rows = (await this.em.getConnection().execute(MESSAGE_COUNTS_SQL, [`{${conversationIds.join(',')}}`])) as Array<{
      id: string;
      n: number;
    }>;
    return new Map(rows.map((row) => [row.id, Number(row.n)]));
  }
}
