import { Injectable, NotFoundException } from '@nestjs/common';
import type { default as Ajv, ValidateFunction } from 'ajv';
import { isExecutableTool } from '../chat-config/executable-tools';
import { newAjv } from '../common/lazy-ajv';
import { ChatTool } from '../chat-config/chat-tool.entity';
import { ChatToolsService } from '../chat-config/chat-tools.service';
import { FaqSearchService } from '../faq/faq-search.service';
import { PropertiesService } from '../properties/properties.service';
import { Property } from '../properties/property.entity';
import { type PropertyRow } from '../properties/properties.dto';
import type { FunctionTool } from './chat-completions.client';

export interface ToolResult {
  /** What goes back to the model: JSON text. */
  content: string;
  /** FAQ document and property ids the tool returned (the reply's sources). */
  sources: string[];
  ok: boolean;
}

type Handler = (args: Record<string, unknown>) => Promise<{ result: unknown; sources: string[] }>;

const RESULTS_PER_TOOL = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_VALIDATORS = 200;
// Arguments are stored with the conversation: a runaway model must not write megabytes into it.
const MAX_ARGUMENTS_LENGTH = 10_000;

/**
 * The functions the model may call. Each handler goes through the same service as the REST route, so
 * it sees only this product's published data; arguments are checked against the tool's own JSON Schema first.
 */
@Injectable()
export class AssistantTools {
  private readonly handlers: Record<string, Handler>;
  // One Ajv for the process, made on first use (see newAjv); compiled schemas are cached by their text
  // (bounded: admins can edit them).
  private lazyAjv?: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly tools: ChatToolsService,
    private readonly properties: PropertiesService,
    private readonly faq: FaqSearchService,
  ) {
    this.handlers = {
      search_properties: (args) => this.searchProperties(args),
      get_property: (args) => this.getProperty(args),
      search_faq: (args) => this.searchFaq(args),
    };
  }

  /** The product's enabled tools that have a handler, as OpenAI function tools. */
  async offered(): Promise<Array<{ tool: ChatTool; definition: FunctionTool }>> {
    const enabled = await this.tools.enabled();
    return enabled
      .filter((tool) => isExecutableTool(tool.name) && this.handlers[tool.name] !== undefined)
      .map((tool) => ({
        tool,
        definition: { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } },
      }));
  }

  /** Runs one call; every failure (unknown tool, bad JSON, schema violation, not found) is a result for the model. */
  async run(offered: ChatTool[], name: string, rawArguments: string): Promise<ToolResult & { arguments: unknown }> {
    if (rawArguments.length > MAX_ARGUMENTS_LENGTH) {
      return { ...failure('arguments are too long'), arguments: rawArguments.slice(0, 2000) };
    }
    let args: unknown;
    try {
      args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
    } catch {
      return { ...failure('arguments are not valid JSON'), arguments: rawArguments.slice(0, 2000) };
    }
    const tool = offered.find((candidate) => candidate.name === name);
    const handler = this.handlers[name];
    if (!tool || !handler) {
      return { ...failure(`there is no tool named "${name.slice(0, 64)}"`), arguments: args };
    }
    const validate = this.validator(tool.parameters);
    if (!validate) {
      return { ...failure('the tool is misconfigured (its parameters schema cannot be used)'), arguments: args };
    }
    if (!validate(args)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(arguments)'} ${e.message ?? 'is invalid'}`).join('; ');
      return { ...failure(`invalid arguments: ${problems}`), arguments: args };
    }
    try {
      const { result, sources } = await handler(args as Record<string, unknown>);
      return { content: JSON.stringify(result), sources, ok: true, arguments: args };
    } catch (error) {
      if (error instanceof NotFoundException) {
        return { ...failure('not found'), arguments: args };
      }
      throw error;
    }
  }

  private ajv(): Ajv {
    return (this.lazyAjv ??= newAjv({ strict: false, allErrors: true, logger: false }));
  }

  // Schemas were checked when stored; one that still does not compile is the tool's fault, not a 500.
  private validator(schema: Record<string, unknown>): ValidateFunction | undefined {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      if (this.validators.size >= MAX_VALIDATORS) {
        this.validators.clear();
        this.ajv().removeSchema();
      }
      try {
        validate = this.ajv().compile(schema);
      } catch {
        return undefined;
      }
      this.validators.set(key, validate);
    }
    return validate;
  }

  private async searchProperties(args: Record<string, unknown>): Promise<{ result: unknown; sources: string[] }> {
    const found = await this.properties.searchPublished(
      {
        text: text(args.query ?? args.text),
        minBedrooms: integer(args.minBedrooms ?? args.bedrooms),
        maxPriceMinor: integer(args.maxPriceMinor ?? args.maxPrice),
        currency: text(args.currency),
      },
      RESULTS_PER_TOOL,
    );
    return { result: { properties: found.map(propertySummary) }, sources: found.map((p) => p.id) };
  }

  private async getProperty(args: Record<string, unknown>): Promise<{ result: unknown; sources: string[] }> {
    const id = text(args.id);
    if (!id || !UUID.test(id)) {
      throw new NotFoundException();
    }
    const property = await this.properties.getPublished(id);
    return { result: { property: propertySummary(property) }, sources: [property.id] };
  }

  private async searchFaq(args: Record<string, unknown>): Promise<{ result: unknown; sources: string[] }> {
    const q = text(args.q ?? args.query) ?? '';
    const hits = q.trim() ? await this.faq.search(q, RESULTS_PER_TOOL) : [];
    return {
      result: { faq: hits.map((hit) => ({ id: hit.id, question: hit.question, answer: hit.answer, score: hit.score })) },
      sources: hits.map((hit) => hit.id),
    };
  }
}

function failure(message: string): ToolResult {
  return { content: JSON.stringify({ error: message }), sources: [], ok: false };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : undefined;
}

function propertySummary(property: Property | PropertyRow): Record<string, unknown> {
  return {
    id: property.id,
    title: property.title,
    description: property.description.slice(0, 500),
    priceMinor: Number(property.priceMinor),
    currency: property.currency,
    bedrooms: property.bedrooms,
    bathrooms: property.bathrooms,
    address: property.address,
  };
}
