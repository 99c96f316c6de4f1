import { ConfigError } from './app-config';

export interface AssistantConfig {
  /** Tokens this product's assistant may use per calendar month (UTC); undefined = no budget. */
  monthlyTokenBudget?: number;
  /** Tokens one user may use per day (UTC); undefined = no budget. */
  userDailyTokenBudget?: number;
  /** Estimated tokens (chars / 4) for system prompt + tools + FAQ context + history of one model call. */
  contextBudgetTokens: number;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) {
    return undefined;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name}="${raw}" must be a whole number of tokens >= ${min}`);
  }
  return value;
}

export function loadAssistantConfig(env: NodeJS.ProcessEnv): AssistantConfig {
  return {
    monthlyTokenBudget: positiveInteger(env, 'LLM_MONTHLY_TOKEN_BUDGET', 1),
    userDailyTokenBudget: positiveInteger(env, 'LLM_USER_DAILY_TOKEN_BUDGET', 1),
    contextBudgetTokens: positiveInteger(env, 'LLM_CONTEXT_BUDGET_TOKENS', 500) ?? 6000,
  };
}
