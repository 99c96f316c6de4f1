import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { User } from '../users/user.entity';
import type { Usage } from './chat-completions.client';
import { LlmUsage, type UsageOutcome } from './llm-usage.entity';
import { LlmRepository } from './llm.repository';
import type { LlmUsageResponse } from './llm-usage.dto';
import { metricsOfCurrentProduct } from '../observability/metrics';

const TOP_USERS = 10;

export function utcDay(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

/** A 429 the error filter turns into the contract's JSON; `Retry-After` says when the budget resets. */
export class BudgetExhaustedException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

@Injectable()
export class LlmUsageService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: LlmRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The single place every model call's token usage is recorded (in its own unit of work, so a
   * failed or aborted chat still counts what it cost). The `llm_tokens_total` metric hooks in here.
   */
  async recordUsage(user: User | null, model: string, outcome: UsageOutcome, usage: Usage | null): Promise<void> {
    const fork = this.em.fork();
    const row = fork.create(LlmUsage, {
      user: user ? fork.getReference(User, user.id) : null,
      model,
      day: utcDay(),
      outcome,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: usage?.totalTokens ?? 0,
    });
    await fork.persist(row).flush();
    // The same figures as Prometheus counters (llm_tokens_total), labelled with the product.
    const metrics = metricsOfCurrentProduct();
    if (usage && metrics) {
      metrics.llmTokensUsed(model, 'prompt', usage.promptTokens);
      metrics.llmTokensUsed(model, 'completion', usage.completionTokens);
    }
  }

  /** 429 once this month's product usage or today's user usage reached its budget; never a silent fallback. */
  async assertWithinBudget(user: User): Promise<void> {
    const { monthlyTokenBudget, userDailyTokenBudget } = this.config.assistant;
    const now = new Date();
    const today = utcDay(now);
    if (monthlyTokenBudget !== undefined) {
      const monthStart = `${today.slice(0, 8)}01`;
      if ((await this.repository.spent(monthStart, today)) >= monthlyTokenBudget) {
        const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
        throw new BudgetExhaustedException(
          "The assistant's monthly token budget for this product is used up; it renews on the 1st of next month (UTC)",
          Math.ceil((next - now.getTime()) / 1000),
        );
      }
    }
    if (userDailyTokenBudget !== undefined && (await this.repository.spent(today, today, user.id)) >= userDailyTokenBudget) {
      const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      throw new BudgetExhaustedException(
        'Your daily token budget for the assistant is used up; it renews at midnight (UTC)',
        Math.ceil((next - now.getTime()) / 1000),
      );
    }
  }

  async report(from: string, to: string): Promise<LlmUsageResponse> {
    const [days, topUsers] = await Promise.all([this.repository.daily(from, to), this.repository.topUsers(from, to, TOP_USERS)]);
    const totals = days.reduce(
      (sum, day) => ({
        calls: sum.calls + day.calls,
        promptTokens: sum.promptTokens + day.promptTokens,
        completionTokens: sum.completionTokens + day.completionTokens,
        totalTokens: sum.totalTokens + day.totalTokens,
      }),
      { calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    );
    return { from, to, totals, days, topUsers };
  }
}
