import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema?: Json }>; headers?: Json }> };

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  operation: Operation;
}

// OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable` becomes a null type, and objects with declared
// properties admit no others (so a field the document does not describe is caught, not waved through).
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(toJsonSchema);
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'example' || key === 'examples') {
      continue;
    }
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/', 'openapi#/components/') : toJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) {
        out.enum = [...(out.enum as unknown[]), null];
      }
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  if (out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Checks a response against the OpenAPI document the app serves: the operation exists, its status is
 * documented, the documented headers are there, and the JSON body validates against the schema.
 * Returns a problem description, or undefined when the response is as documented.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenAPIObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: toJsonSchema(document.components) as Json });
    this.routes = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item as Json)
        .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
        .map(([method, operation]) => ({
          method,
          template,
          pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
          operation: operation as Operation,
        })),
    );
    // Literal segments win over parameters (`/users/me` before `/users/{id}`).
    this.routes.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  check(method: string, url: string, status: number, headers: Record<string, unknown>, body: unknown, text: string): string | undefined {
    const path = new URL(url, 'http://x').pathname.replace(/\/+$/, '') || '/';
    const verb = method.toLowerCase();
    // Swagger UI, CORS preflights and HEAD are not operations of the API.
    if (!path.startsWith('/api/') || path.startsWith('/api/docs') || verb === 'options' || verb === 'head') {
      return undefined;
    }
    const where = `${method.toUpperCase()} ${path} → ${status}`;
    const route = this.routes.find((candidate) => candidate.method === verb && candidate.pattern.test(path));
    if (!route) {
      // No such operation: a client error in the contract's JSON is the only documented answer (404 for
      // the route, or 400/413/415 when the body is refused before routing).
      return status >= 400 && status < 500 ? this.validate(where, 'openapi#/components/schemas/ErrorResponse', body) : `${where}: no documented operation`;
    }
    const response = route.operation.responses[String(status)] ?? route.operation.responses.default;
    if (!response) {
      return `${where}: status ${status} is not documented for ${verb.toUpperCase()} ${route.template}`;
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const required = (header as { $ref?: string; required?: boolean }).$ref
        ? ['X-Product', 'X-Request-Id'].includes(name)
        : (header as { required?: boolean }).required === true;
      if (required && headers[name.toLowerCase()] === undefined) {
        return `${where}: documented header ${name} is missing`;
      }
    }
    // A body that is not JSON (an event stream, Prometheus text): its media type must be documented.
    const contentType = headers['content-type'];
    const mediaType = typeof contentType === 'string' ? contentType.split(';')[0].trim() : '';
    if (mediaType !== '' && mediaType !== 'application/json') {
      return response.content?.[mediaType] ? undefined : `${where}: ${mediaType} is not documented`;
    }
    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      return status === 204 || status === 304 || text === '' ? undefined : `${where}: a body was sent but none is documented`;
    }
    return this.validate(where, schema, body);
  }

  private validate(where: string, schema: Json | string, body: unknown): string | undefined {
    const key = typeof schema === 'string' ? schema : JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(typeof schema === 'string' ? { $ref: schema } : (toJsonSchema(schema) as Json));
      this.compiled.set(key, validate);
    }
    if (validate(body)) {
      return undefined;
    }
    const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? ''}`).join('; ');
    return `${where}: the body does not match the document: ${errors}\n${JSON.stringify(body).slice(0, 500)}`;
  }
}
