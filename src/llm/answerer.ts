import { Logger } from '@nestjs/common';
import { timedOutbound } from '../observability/metrics';

export interface FaqMatch {
  id: string;
  question: string;
  answer: string;
  score: number;
}

export interface AnswerRequest {
  systemPrompt: string;
  question: string;
  matches: FaqMatch[];
  history: Array<{ role: 'user' | 'assistant'; content: string }>;
}

export interface Answer {
  reply: string;
  /** The FAQ documents the reply was built from. */
  sources: string[];
}

/** The model behind the assistant; chosen once at boot from the config. */
export abstract class Answerer {
  abstract readonly name: string;
  abstract answer(request: AnswerRequest): Promise<Answer>;
}

export class AnswererUnavailableError extends Error {}

/** OpenAI-compatible chat completions (`LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`). */
export class OpenAiCompatibleAnswerer extends Answerer {
  readonly name: string;
  private readonly logger = new Logger(OpenAiCompatibleAnswerer.name);

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly model: string,
    private readonly timeoutMs = 30_000,
  ) {
    super();
    this.name = `openai-compatible:${model}`;
  }

  async answer({ systemPrompt, question, matches, history }: AnswerRequest): Promise<Answer> {
    const context =
      matches.length > 0
        ? matches.map((m, i) => `[${i + 1}] Q: ${m.question}\nA: ${m.answer}`).join('\n\n')
        : '(no FAQ entry matches this question)';
    const messages = [
      { role: 'system', content: `${systemPrompt}\n\nFAQ entries you may answer from:\n${context}` },
      ...history,
      { role: 'user', content: question },
    ];
    let response: Response;
    try {
      response = await timedOutbound('llm', () =>
        fetch(`${this.baseUrl.replace(/\/$/, '')}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
          body: JSON.stringify({ model: this.model, messages, temperature: 0.2 }),
          signal: AbortSignal.timeout(this.timeoutMs),
        }),
      );
    } catch (error) {
      this.logger.warn(`chat completion request failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new AnswererUnavailableError('the language model could not be reached');
    }
    if (!response.ok) {
      this.logger.warn(`chat completion answered ${response.status}`);
      throw new AnswererUnavailableError(`the language model answered ${response.status}`);
    }
    const body = (await response.json().catch(() => null)) as { choices?: Array<{ message?: { content?: unknown } }> } | null;
    const reply = body?.choices?.[0]?.message?.content;
    if (typeof reply !== 'string' || reply.trim().length === 0) {
      throw new AnswererUnavailableError('the language model returned no answer');
    }
    return { reply: reply.trim(), sources: matches.map((m) => m.id) };
  }
}

/**
 * Works offline: answers with the best-matching FAQ answer, and points at the next best ones.
 * It does not paraphrase or combine; it says so when nothing matches.
 */
export class ExtractiveAnswerer extends Answerer {
  readonly name = 'extractive';

  answer({ matches }: AnswerRequest): Promise<Answer> {
    const [best, ...others] = matches;
    if (!best) {
      return Promise.resolve({
        reply: "I couldn't find an answer to that in our FAQ. Please rephrase your question or contact our support team.",
        sources: [],
      });
    }
    const seeAlso = others.length > 0 ? `\n\nRelated questions: ${others.map((m) => m.question).join(' | ')}` : '';
    return Promise.resolve({
      reply: `${best.answer}${seeAlso}`,
      sources: [best.id, ...others.map((m) => m.id)],
    });
  }
}
