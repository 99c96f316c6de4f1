import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/** The body of every error response (the global exception filter writes it). */
export class ErrorResponse {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 404 }) statusCode!: number;
  @ApiProperty({ description: 'The reason phrase of statusCode', example: 'Not Found' }) error!: string;
  @ApiProperty({ description: 'What went wrong, for people; validation failures are joined with "; "', example: 'Property not found' })
  message!: string;
  @ApiProperty({ description: 'The X-Request-Id of the request (quote it when reporting a problem)' }) requestId!: string;
  @ApiPropertyOptional({ description: 'Why the product is suspended (503 while an operator has suspended it)' }) reason?: string;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, an invalid or unknown body field, a malformed id or an invalid query value',
  401: 'Missing, invalid or expired Clerk session token',
  403: 'The signed-in role may not do this',
  404: 'No such resource in this product',
  409: 'Conflicts with the current state (a taken unique value, or a resource still referenced)',
  413: 'Request body larger than 1 MiB',
  415: 'A Content-Encoding this server does not decode',
  422: 'Signed, but the payload does not validate',
  429: 'Too many requests; retry after Retry-After seconds',
  502: 'An outside service this route needs failed',
  503: 'A dependency is down or not configured; retry later (Retry-After when known)',
};

/** Route-specific error statuses (the generic ones are added for every operation, see below). */
export function ApiErrors(...statuses: Array<{ status: number; description: string } | number>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((entry) => {
      const { status, description } = typeof entry === 'number' ? { status: entry, description: ERROR_DESCRIPTIONS[entry] } : entry;
      return ApiResponse({ status, description: description ?? STATUS_CODES[status] ?? 'Error', type: ErrorResponse });
    }),
  );
}

const TAGS: Array<{ name: string; description: string }> = [
  { name: 'health', description: 'Liveness of the process and its database' },
  { name: 'users', description: 'The signed-in user, and user administration' },
  { name: 'audit', description: 'Who changed what, per product' },
  { name: 'properties', description: 'Published properties, for everyone' },
  { name: 'admin: properties', description: 'Property management for agents and admins' },
  { name: 'faq', description: 'Published FAQ: categories, documents, search, feedback' },
  { name: 'faq admin', description: 'FAQ management and analytics for admins' },
  { name: 'admin: chat config', description: 'Assistant prompts and tools for admins' },
  { name: 'assistant', description: 'The FAQ chat assistant' },
  { name: 'admin: assistant', description: 'Token usage of the assistant, for admins' },
  { name: 'webhooks', description: 'Server-to-server deliveries from Clerk (Svix-signed)' },
];

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Extract<NonNullable<OperationObject['parameters']>[number], { in: string }>;
type ResponseObject = Extract<OperationObject['responses'][string], { description: string }>;

// Built on first use (a request to /api/docs, or a test), not at boot: a few hundred ms that no start should wait for.
const documents = new WeakMap<INestApplication, () => OpenAPIObject>();

/** The document the app serves at /api/docs-json (the test harness validates responses against it). */
export function openApiDocumentOf(app: INestApplication): OpenAPIObject {
  const document = documents.get(app);
  if (!document) {
    throw new Error('this app was not built by createApp (no OpenAPI document)');
  }
  return document();
}

export function setUpOpenApi(app: INestApplication, product: string): void {
  let built: OpenAPIObject | undefined;
  const document = (): OpenAPIObject => (built ??= buildDocument(app, product));
  documents.set(app, document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

function buildDocument(app: INestApplication, product: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(`${product} API`)
    .setDescription(
      `The ${product} product's API. Every response carries X-Product (the product this process serves) and X-Request-Id. ` +
        'Errors are ErrorResponse JSON. Unknown query parameters are ignored; unknown body fields are 400.',
    )
    .setVersion('1')
    .addServer('/', 'This process')
    .setLicense('Proprietary', 'https://example.invalid/license')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Clerk session token of the ${product} instance` })
    .addGlobalParameters({
      name: 'X-Request-Id',
      in: 'header',
      required: false,
      description: 'Optional correlation id, echoed back; a new one is made when absent or not sane',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    });
  for (const tag of TAGS) {
    builder.addTag(tag.name, tag.description);
  }
  return finishDocument(SwaggerModule.createDocument(app, builder.build(), { extraModels: [ErrorResponse] }));
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };
const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * What every operation shares, written once instead of on each route: the statuses any route can
 * answer (400 for any input, 401/403 when signed in, 404 on by-id routes, 413 with a body, 429 and
 * 503 everywhere), each with ErrorResponse; uuid path parameters; `security: []` on public
 * operations; and the response headers.
 */
function finishDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    headers: {
      'X-Product': { description: 'The product this process serves', required: true, schema: { type: 'string', example: 'bestays' } },
      'X-Request-Id': { description: 'The request id (the client\'s when sane, else a new one)', required: true, schema: { type: 'string' } },
      'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
      'Cache-Control': { description: 'public, max-age=… on public reads; private, no-store when signed in', schema: { type: 'string' } },
      ETag: { description: 'Weak validator of a public read (send it back as If-None-Match)', schema: { type: 'string' } },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) {
        finishOperation(path, method, operation);
      }
    }
  }
  return document;
}

function finishOperation(path: string, method: (typeof METHODS)[number], operation: OperationObject): void {
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  for (const parameter of parameters) {
    if (parameter.in === 'path') {
      // Every path parameter of this API is a resource id.
      parameter.schema = { type: 'string', format: 'uuid' };
    }
  }
  const secured = (operation.security ?? []).some((requirement) => 'bearer' in requirement);
  if (!secured) {
    operation.security = [];
  }
  // Every operation has a summary: a route without its own gets one from its handler's name.
  operation.summary ??= summaryFrom(operation.operationId ?? `${method} ${path}`);
  const statuses = [
    // Any request can carry a malformed or wrongly encoded body (400) or an unknown Content-Encoding (415).
    400,
    415,
    ...(secured ? [401] : []),
    ...(path.includes('{') ? [404] : []),
    ...(operation.requestBody ? [413] : []),
    // The global filter answers 409 for a unique or foreign-key violation of any write.
    ...(method === 'get' ? [] : [409]),
    429,
    503,
  ];
  const responses = operation.responses as Record<string, ResponseObject>;
  for (const status of statuses) {
    responses[status] ??= { description: ERROR_DESCRIPTIONS[status] };
  }
  if (method === 'get' && !secured) {
    responses[304] ??= { description: 'Not modified (If-None-Match matched the ETag)' };
  }
  for (const [status, response] of Object.entries(responses)) {
    const code = Number(status);
    if (code >= 400 && !response.content) {
      response.content = errorContent;
    }
    response.headers = {
      ...response.headers,
      'X-Product': ref('X-Product'),
      'X-Request-Id': ref('X-Request-Id'),
      ...(code === 429 || code === 503 ? { 'Retry-After': ref('Retry-After') } : {}),
      ...(method === 'get' && code < 400 ? { 'Cache-Control': ref('Cache-Control'), ...(secured ? {} : { ETag: ref('ETag') }) } : {}),
    };
  }
}

// "UserSettingsController_update" -> "User settings: update".
function summaryFrom(operationId: string): string {
  const [controller = operationId, handler = ''] = operationId.split('_');
  const subject = controller.replace(/Controller$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  const words = subject.charAt(0).toUpperCase() + subject.slice(1).toLowerCase();
  return handler ? `${words}: ${handler.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}` : words;
}
