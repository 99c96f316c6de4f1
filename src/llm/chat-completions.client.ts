import { Logger } from '@nestjs/common';
import { type OutboundPolicy, OutboundUnavailableError } from '../common/outbound-policy';
import { timedOutbound } from '../observability/metrics';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface FunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface Completion {
  content: string;
  toolCalls: ToolCall[];
  usage: Usage | null;
}

export interface CompletionRequest {
  messages: WireMessage[];
  tools?: FunctionTool[];
  /** Called with each piece of text as the model produces it; when set the call streams (`stream: true`). */
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
}

export class ModelUnavailableError extends Error {
  /** Set while the circuit breaker is open: come back after this many seconds (a 503, not a 502). */
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
/** The caller went away (client disconnect): the upstream request was stopped. */
export class ModelAbortedError extends Error {}

const RETRY_BACKOFF_MS = 300;

/** One OpenAI-compatible `POST {baseUrl}/chat/completions`, plain or streamed. The only HTTP call site of the assistant. */
export class ChatCompletionsClient {
  private readonly logger = new Logger(ChatCompletionsClient.name);

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    readonly model: string,
    private readonly timeoutMs = 60_000,
    // The circuit breaker (and overall deadline) shared by every call of this app (see outbound-policy.ts).
    private readonly policy?: OutboundPolicy,
  ) {}

  /** Seconds until the breaker lets a trial call through, while it is open. */
  unavailableFor(): number | undefined {
    return this.policy?.openFor();
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    if (!this.policy) {
      return this.completeWithRetry(request);
    }
    try {
      return await this.policy.call(() => this.completeWithRetry(request));
    } catch (error) {
      if (error instanceof OutboundUnavailableError) {
        throw new ModelUnavailableError(`the language model is unavailable (${error.reason})`, error.reason === 'open' ? error.retryAfterSeconds : undefined);
      }
      throw error;
    }
  }

  // An upstream 429/5xx (or no connection) is retried once after a short backoff; then it is the caller's 502.
  private async completeWithRetry(request: CompletionRequest): Promise<Completion> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= 2) {
          throw error instanceof RetryableError ? new ModelUnavailableError(error.message) : error;
        }
        this.logger.warn(`chat completion failed (${error.message}); retrying once`);
        await sleep(RETRY_BACKOFF_MS * attempt, request.signal);
      }
    }
  }

  private async attempt({ messages, tools, onDelta, signal }: CompletionRequest): Promise<Completion> {
    const stream = onDelta !== undefined;
    const body: Record<string, unknown> = { model: this.model, messages, temperature: 0.2 };
    if (tools && tools.length > 0) {
      body.tools = tools;
    }
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await timedOutbound('llm', () =>
        fetch(`${this.baseUrl.replace(/\/$/, '')}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
          body: JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        }),
      );
    } catch (error) {
      if (signal?.aborted) {
        throw new ModelAbortedError('the client went away');
      }
      throw new RetryableError(`request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      throw new RetryableError(`answered ${response.status}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelUnavailableError(`the language model answered ${response.status}`);
    }
    try {
      return stream ? await readStream(response, onDelta) : await readJson(response);
    } catch (error) {
      if (signal?.aborted) {
        throw new ModelAbortedError('the client went away');
      }
      throw error instanceof ModelUnavailableError ? error : new ModelUnavailableError('the language model answered malformed data');
    }
  }
}

class RetryableError extends Error {}

interface RawUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  total_tokens?: unknown;
}

function usageOf(raw: RawUsage | undefined | null): Usage | null {
  if (!raw || typeof raw !== 'object') {
    return null;
  }
  const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0);
  const promptTokens = count(raw.prompt_tokens);
  const completionTokens = count(raw.completion_tokens);
  return { promptTokens, completionTokens, totalTokens: count(raw.total_tokens) || promptTokens + completionTokens };
}

async function readJson(response: Response): Promise<Completion> {
  const body = (await response.json()) as {
    choices?: Array<{ message?: { content?: unknown; tool_calls?: unknown } }>;
    usage?: RawUsage;
  };
  const message = body?.choices?.[0]?.message;
  if (!message) {
    throw new ModelUnavailableError('the language model returned no answer');
  }
  const toolCalls = Array.isArray(message.tool_calls) ? (message.tool_calls as ToolCall[]).filter(isToolCall) : [];
  return { content: typeof message.content === 'string' ? message.content : '', toolCalls, usage: usageOf(body.usage) };
}

function isToolCall(call: unknown): call is ToolCall {
  const c = call as ToolCall | null;
  return typeof c?.id === 'string' && typeof c.function?.name === 'string' && typeof c.function.arguments === 'string';
}

interface StreamChunk {
  choices?: Array<{
    delta?: {
      content?: unknown;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
  }>;
  usage?: RawUsage | null;
}

// Server-sent events from the provider: `data: {chunk}` lines, ended by `data: [DONE]`.
async function readStream(response: Response, onDelta: (text: string) => void): Promise<Completion> {
  if (!response.body) {
    throw new ModelUnavailableError('the language model answered no stream');
  }
  const decoder = new TextDecoder();
  let buffer = '';
  let content = '';
  let usage: Usage | null = null;
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  const handle = (data: string): void => {
    if (data === '[DONE]') {
      return;
    }
    const chunk = JSON.parse(data) as StreamChunk;
    usage = usageOf(chunk.usage) ?? usage;
    const delta = chunk.choices?.[0]?.delta;
    if (typeof delta?.content === 'string' && delta.content.length > 0) {
      content += delta.content;
      onDelta(delta.content);
    }
    for (const part of delta?.tool_calls ?? []) {
      const index = part.index ?? 0;
      const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
      call.id = part.id ?? call.id;
      call.name += part.function?.name ?? '';
      call.arguments += part.function?.arguments ?? '';
      calls.set(index, call);
    }
  };
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) {
        handle(data);
      }
    }
  }
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, call]) => ({ id: call.id || `call_${index}`, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
  return { content, toolCalls, usage };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ModelAbortedError('the client went away'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new ModelAbortedError('the client went away'));
      },
      { once: true },
    );
  });
}
