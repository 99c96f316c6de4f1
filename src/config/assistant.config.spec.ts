import { ConfigError, loadConfig } from './app-config';

describe('assistant config', () => {
  it('has no budgets and a 6000-token context by default', () => {
    expect(loadConfig({}).assistant).toEqual({ monthlyTokenBudget: undefined, userDailyTokenBudget: undefined, contextBudgetTokens: 6000 });
  });

  it('reads the budgets and the context budget', () => {
    expect(
      loadConfig({ LLM_MONTHLY_TOKEN_BUDGET: '1000000', LLM_USER_DAILY_TOKEN_BUDGET: ' 5000 ', LLM_CONTEXT_BUDGET_TOKENS: '2000' }).assistant,
    ).toEqual({ monthlyTokenBudget: 1000000, userDailyTokenBudget: 5000, contextBudgetTokens: 2000 });
  });

  it.each([
    ['LLM_MONTHLY_TOKEN_BUDGET', 'lots'],
    ['LLM_MONTHLY_TOKEN_BUDGET', '0'],
    ['LLM_USER_DAILY_TOKEN_BUDGET', '-5'],
    ['LLM_USER_DAILY_TOKEN_BUDGET', '1.5'],
    ['LLM_CONTEXT_BUDGET_TOKENS', '100'],
  ])('stops on %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
