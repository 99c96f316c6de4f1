import type { FaqMatch, HistoryMessage } from './answerer';

/** A rough token count (about 4 characters a token for English text): enough to stay under a budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function faqContext(matches: FaqMatch[]): string {
  return matches.length > 0
    ? matches.map((m, i) => `[${i + 1}] Q: ${m.question}\nA: ${m.answer}`).join('\n\n')
    : '(no FAQ entry matches this question)';
}

export function systemMessage(systemPrompt: string, matches: FaqMatch[]): string {
  return `${systemPrompt}\n\nFAQ entries you may answer from:\n${faqContext(matches)}`;
}

export interface FittedContext {
  system: string;
  matches: FaqMatch[];
  history: HistoryMessage[];
}

/**
 * System prompt, tool definitions, FAQ context, history and the question within `budget` tokens.
 * The oldest history goes first; if the fixed part alone is too big, the weakest FAQ entries go too.
 */
export function fitContext(
  budget: number,
  parts: { systemPrompt: string; toolsJson: string; matches: FaqMatch[]; history: HistoryMessage[]; question: string },
): FittedContext {
  let matches = parts.matches;
  const fixed = (): number => estimateTokens(systemMessage(parts.systemPrompt, matches)) + estimateTokens(parts.toolsJson) + estimateTokens(parts.question);
  while (matches.length > 0 && fixed() > budget) {
    matches = matches.slice(0, -1);
  }
  let left = budget - fixed();
  const kept: HistoryMessage[] = [];
  for (let i = parts.history.length - 1; i >= 0; i--) {
    const cost = estimateTokens(parts.history[i].content);
    if (cost > left) {
      break;
    }
    left -= cost;
    kept.unshift(parts.history[i]);
  }
  // A history that starts with an answer reads oddly to the model: start at a question.
  while (kept.length > 0 && kept[0].role !== 'user') {
    kept.shift();
  }
  return { system: systemMessage(parts.systemPrompt, matches), matches, history: kept };
}
