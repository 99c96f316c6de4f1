import { User } from '../users/user.entity';
import type { AssistantTools } from './assistant-tools';
import {
  type ChatCompletionsClient,
  type Completion,
  type CompletionRequest,
  ModelAbortedError,
  ModelUnavailableError,
  type WireMessage,
} from './chat-completions.client';
import { fitContext } from './context-budget';
import type { LlmUsageService } from './llm-usage.service';

export interface FaqMatch {
  id: string;
  question: string;
  answer: string;
  score: number;
}

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface AnswerRequest {
  user: User;
  systemPrompt: string;
  question: string;
  matches: FaqMatch[];
  history: HistoryMessage[];
}

export interface RunOptions {
  /** Text as it is produced (the SSE route); without it the answer comes whole. */
  onDelta?: (text: string) => void;
  /** Aborted when the client goes away: the upstream request stops. */
  signal?: AbortSignal;
}

export interface ToolExchange {
  name: string;
  arguments: unknown;
  result: string;
}

export interface Answer {
  reply: string;
  /** The FAQ documents and properties the reply was built from (ids). */
  sources: string[];
  /** Every tool call and its result, in order. */
  tools: ToolExchange[];
}

/** The model behind the assistant; chosen once at boot from the config. */
export abstract class Answerer {
  abstract readonly name: string;
  abstract answer(request: AnswerRequest, options?: RunOptions): Promise<Answer>;
  /** Seconds until the model may be tried again while its circuit breaker is open; else undefined. */
  unavailableFor(): number | undefined {
    return undefined;
  }
}

export { ModelAbortedError, ModelUnavailableError as AnswererUnavailableError };

export const MAX_TOOL_ROUNDS = 4;
const ROUND_LIMIT_REPLY =
  'I could not finish looking this up within the allowed number of steps. Please ask a more specific question.';

/** OpenAI-compatible chat completions with the product's tools (`LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`). */
export class OpenAiCompatibleAnswerer extends Answerer {
  readonly name: string;

  constructor(
    private readonly client: ChatCompletionsClient,
    private readonly tools: AssistantTools,
    private readonly usage: LlmUsageService,
    private readonly contextBudgetTokens: number,
  ) {
    super();
    this.name = `openai-compatible:${client.model}`;
  }

  override unavailableFor(): number | undefined {
    return this.client.unavailableFor();
  }

  async answer({ user, systemPrompt, question, matches, history }: AnswerRequest, options: RunOptions = {}): Promise<Answer> {
    const offered = await this.tools.offered();
    const definitions = offered.map((o) => o.definition);
    const context = fitContext(this.contextBudgetTokens, {
      systemPrompt,
      toolsJson: definitions.length > 0 ? JSON.stringify(definitions) : '',
      matches,
      history,
      question,
    });
    const messages: WireMessage[] = [{ role: 'system', content: context.system }, ...context.history, { role: 'user', content: question }];
    const sources = new Set(context.matches.map((m) => m.id));
    const exchanges: ToolExchange[] = [];

    for (let round = 0; ; round++) {
      // After MAX_TOOL_ROUNDS rounds of tool calls the model must answer with what it has.
      const withTools = round < MAX_TOOL_ROUNDS && definitions.length > 0;
      const completion = await this.call(user, { messages, tools: withTools ? definitions : undefined, ...options });
      if (completion.toolCalls.length === 0 || !withTools) {
        const reply = completion.toolCalls.length > 0 ? completion.content.trim() || ROUND_LIMIT_REPLY : completion.content.trim();
        if (reply.length === 0) {
          throw new ModelUnavailableError('the language model returned no answer');
        }
        return { reply, sources: [...sources], tools: exchanges };
      }
      messages.push({ role: 'assistant', content: completion.content || null, tool_calls: completion.toolCalls });
      for (const call of completion.toolCalls) {
        const result = await this.tools.run(
          offered.map((o) => o.tool),
          call.function.name,
          call.function.arguments,
        );
        result.sources.forEach((id) => sources.add(id));
        exchanges.push({ name: call.function.name.slice(0, 64), arguments: result.arguments, result: result.content });
        messages.push({ role: 'tool', tool_call_id: call.id, content: result.content });
      }
    }
  }

  // Every model call is metered, whatever its outcome.
  private async call(user: User, request: CompletionRequest): Promise<Completion> {
    try {
      const completion = await this.client.complete(request);
      await this.usage.recordUsage(user, this.client.model, 'ok', completion.usage);
      return completion;
    } catch (error) {
      await this.usage.recordUsage(user, this.client.model, error instanceof ModelAbortedError ? 'aborted' : 'error', null);
      throw error;
    }
  }
}

/**
 * Works offline: answers with the best-matching FAQ answer, and points at the next best ones.
 * It does not paraphrase or combine; it says so when nothing matches. It streams in a few pieces.
 */
export class ExtractiveAnswerer extends Answerer {
  readonly name = 'extractive';

  answer({ matches }: AnswerRequest, { onDelta }: RunOptions = {}): Promise<Answer> {
    const [best, ...others] = matches;
    const reply = best
      ? `${best.answer}${others.length > 0 ? `\n\nRelated questions: ${others.map((m) => m.question).join(' | ')}` : ''}`
      : "I couldn't find an answer to that in our FAQ. Please rephrase your question or contact our support team.";
    if (onDelta) {
      // Sentence-sized pieces, so a client's streaming path is the same as with a model.
      for (const piece of reply.split(/(?<=[.!?]\s|\n)/)) {
        onDelta(piece);
      }
    }
    return Promise.resolve({ reply, sources: matches.map((m) => m.id), tools: [] });
  }
}
