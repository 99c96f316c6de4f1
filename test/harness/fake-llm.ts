import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface FakeMessage {
  role: string;
  content: string | null;
  tool_calls?: FakeToolCall[];
  tool_call_id?: string;
}

export interface FakeRequestBody {
  model: string;
  messages: FakeMessage[];
  tools?: Array<{ type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface FakeReply {
  content?: string;
  toolCalls?: Array<{ name: string; arguments: string }>;
  status?: number;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Streaming only: wait this long between chunks. */
  chunkDelayMs?: number;
}

export interface FakeCall {
  authorization?: string;
  body: FakeRequestBody;
  /** Set when the caller closed the connection before the reply was complete. */
  closedEarly: boolean;
}

export type Responder = (body: FakeRequestBody, call: FakeCall) => FakeReply;

export const DEFAULT_USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

const lastUserText = (body: FakeRequestBody): string =>
  [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/**
 * An OpenAI-compatible `/v1/chat/completions` on loopback, plain and streamed (SSE). Replies come from
 * responders queued with `next()`, else `model says: <question>`. The only outside world we mock.
 */
export class FakeLlm {
  readonly calls: FakeCall[] = [];
  private readonly queue: Responder[] = [];
  private fallback: Responder = (body) => ({ content: `model says: ${lastUserText(body)}` });

  private constructor(
    readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeLlm> {
    const holder: { fake?: FakeLlm } = {};
    const server = createServer((request, response) => holder.fake?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeLlm(server, `http://127.0.0.1:${port}/v1`);
    return holder.fake;
  }

  next(...responders: Responder[]): this {
    this.queue.push(...responders);
    return this;
  }

  /** Replaces the reply used when nothing is queued (e.g. "always ask for a tool"). */
  always(responder: Responder | null): this {
    this.fallback = responder ?? ((body) => ({ content: `model says: ${lastUserText(body)}` }));
    return this;
  }

  reset(): void {
    this.calls.length = 0;
    this.queue.length = 0;
    this.always(null);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as FakeRequestBody;
      const call: FakeCall = { authorization: request.headers.authorization, body, closedEarly: false };
      this.calls.push(call);
      response.on('close', () => {
        if (!response.writableFinished) {
          call.closedEarly = true;
        }
      });
      const reply = (this.queue.shift() ?? this.fallback)(body, call);
      if (reply.status !== undefined && reply.status !== 200) {
        response.writeHead(reply.status, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
        return;
      }
      const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
        id: `call_${this.calls.length}_${i}`,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      }));
      const usage = reply.usage ?? DEFAULT_USAGE;
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            choices: [{ message: { role: 'assistant', content: reply.content ?? null, tool_calls: toolCalls.length > 0 ? toolCalls : undefined } }],
            usage,
          }),
        );
        return;
      }
      void this.stream(response, reply, toolCalls, body.stream_options?.include_usage ? usage : undefined);
    });
  }

  private async stream(response: ServerResponse, reply: FakeReply, toolCalls: FakeToolCall[], usage?: object): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunks: object[] = [];
    for (const piece of (reply.content ?? '').match(/\S+\s*/g) ?? []) {
      chunks.push({ choices: [{ index: 0, delta: { content: piece } }] });
    }
    toolCalls.forEach((call, index) => {
      // Split like real providers do: id and name first, the arguments in two pieces.
      const half = Math.floor(call.function.arguments.length / 2);
      chunks.push({ choices: [{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments.slice(0, half) } }] } }] });
      chunks.push({ choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: call.function.arguments.slice(half) } }] } }] });
    });
    chunks.push({ choices: [{ index: 0, delta: {}, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }] });
    if (usage) {
      chunks.push({ choices: [], usage });
    }
    for (const chunk of chunks) {
      if (response.destroyed) {
        return;
      }
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (reply.chunkDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, reply.chunkDelayMs));
      }
    }
    response.end('data: [DONE]\n\n');
  }
}

/** Parses a Server-Sent Events body into its events. */
export function parseSse(text: string): Array<{ event: string; data: unknown }> {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}
