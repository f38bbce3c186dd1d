import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../problem/error-codes';
import { DEPRECATION_EXTENSION, DeprecationNotice } from './deprecation';
import { ERROR_MEDIA_EXTENSION } from './responses';
import { documentValidationBounds } from './validation-bounds';

/** Set by `RequireScopes`: the scopes a keyed route needs, for its security and its description. */
export const SCOPES_EXTENSION = 'x-zgoda-scopes';
/** Set by `Public`: the route takes no API key (it may authenticate otherwise: a session, a token, a signature). */
export const PUBLIC_EXTENSION = 'x-zgoda-public';
/** Set by `RateLimited`: the route answers 429 past the limit per client. */
export const RATE_LIMITED_EXTENSION = 'x-zgoda-rate-limited';

type Operation = {
  summary?: string;
  description?: string;
  parameters?: { in: string }[];
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  deprecated?: boolean;
  responses: Record<
    string,
    { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >;
  [extension: `x-${string}`]: unknown;
};

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const ERROR_CONTENT: Record<string, Record<string, { schema: unknown }>> = {
  problem: { 'application/problem+json': { schema: PROBLEM_REF } },
  'text/html': { 'text/html': { schema: { type: 'string', description: 'A page that says what went wrong' } } },
  'page-or-problem': {
    'text/html': { schema: { type: 'string', description: 'To a form post: a page that says what went wrong' } },
    'application/problem+json': { schema: PROBLEM_REF },
  },
  opengdpr: { 'application/json': { schema: { $ref: '#/components/schemas/OpenGdprError' } } },
};
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** The problem codes a status carries, from the one error-code table. */
const codesOf = (status: number): ErrorCode[] =>
  (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((c) => ERROR_STATUS[c] === status);

/** What each documented error status means for any operation, and the codes it can carry. */
const ERROR_RESPONSES: Record<string, string> = {
  '400': 'The request is malformed (a body that is not JSON, a bad cursor, input nested too deep)',
  '401': 'No API key, or an unknown or revoked one',
  '403': 'The API key lacks the scope this operation needs',
  '404': 'Nothing with this id',
  '409': 'The resource is not in a state that allows this',
  '410': 'Gone: a link or cursor that has expired',
  '413': 'The body is larger than the limit',
  '415': 'The body has a media type this operation does not take',
  '422': 'The request is well-formed but not valid (the field errors are in `errors`)',
  '423': 'The account is locked',
  '429': 'Too many requests from this client: retry after the time in `retry-after`',
  '503': 'A dependency (the database or Redis) is unavailable: retry later',
};

/**
 * The service's OpenAPI document (issue 24): built from the controllers' decorators, then completed in one
 * place so every operation states its security and every error it can answer, in the one problem shape.
 */
export function contractDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Zgoda')
    .setDescription(
      'GDPR (RODO) consent and data-subject-rights service. Errors are application/problem+json (RFC 9457) with a ' +
        'stable `code`. `/v1` changes are additive only; see the README for how an operation is deprecated.',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This installation')
    .addSecurity('apiKey', { type: 'http', scheme: 'bearer', description: 'An API key (`zk_...`)' })
    .addSecurity('session', {
      type: 'apiKey',
      in: 'cookie',
      name: 'zg_session',
      description: 'A staff session from POST /v1/auth/login (console and account routes)',
    })
    .build();
  documentValidationBounds();
  const doc = SwaggerModule.createDocument(app, config);
  doc.info.contact = { name: 'The operator of this installation' };
  return completeContract(doc);
}

/** Security, error responses and the Problem schema for every operation of a generated document. */
export function completeContract(doc: OpenAPIObject): OpenAPIObject {
  doc.components ??= {};
  doc.components.schemas ??= {};
  doc.components.schemas.Problem = problemSchema();
  doc.components.schemas.OpenGdprError = openGdprErrorSchema();
  strictNullables(doc);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      completeOperation(path, method, op);
    }
  }
  return doc;
}

function completeOperation(path: string, method: string, op: Operation): void {
  const scopes = op[SCOPES_EXTENSION] as string[] | undefined;
  const isPublic = op[PUBLIC_EXTENSION] === true;
  const limited = op[RATE_LIMITED_EXTENSION] === true;
  delete op[SCOPES_EXTENSION];
  delete op[PUBLIC_EXTENSION];
  delete op[RATE_LIMITED_EXTENSION];
  const errorContent = ERROR_CONTENT[(op[ERROR_MEDIA_EXTENSION] as string | undefined) ?? 'problem'];
  delete op[ERROR_MEDIA_EXTENSION];
  const statuses = new Set<string>(Object.keys(op.responses).filter((s) => /^[45]\d\d$/.test(s)));
  if (limited) statuses.add('429');
  if (scopes) {
    op.security = [{ apiKey: [] }];
    const needs = `Needs an API key with one of the scopes: ${scopes.map((s) => `\`${s}\``).join(', ')} (\`admin\` holds all).`;
    op.description = op.description ? `${op.description}\n\n${needs}` : needs;
    statuses.add('401').add('403');
  } else if (op.security?.some((s) => 'session' in s)) {
    // A staff session: none or an ended one is 401; a change without the session's CSRF token is 403.
    statuses.add('401');
    if (method !== 'get') statuses.add('403');
  } else if (isPublic && !op.security?.length) {
    // Reached without an API key; it authenticates otherwise where it must (a token, a signature).
    op.security = [];
  }
  // An id that does not parse (not a UUID) is 400 bad_request; a well-formed unknown one 404.
  if (path.includes('{')) statuses.add('400').add('404');
  const hasQuery = (op.parameters ?? []).some((p) => p.in === 'query');
  if (op.requestBody) statuses.add('400').add('413').add('415');
  if (hasQuery) statuses.add('400');
  // 422 on every route: a body or query that fails validation, and the input guard, which reads every route's query
  // string, declared or not (a NUL or an unpaired surrogate is 422 invalid_characters before the route runs).
  statuses.add('422');
  // Every operation but liveness reads PostgreSQL or Redis: a lost connection is 503 with Retry-After, never 500.
  if (!path.startsWith('/health/live')) statuses.add('503');
  for (const status of statuses) {
    const existing = op.responses[status];
    const codes = codesOf(Number(status));
    op.responses[status] = {
      description:
        existing?.description && existing.description !== codes[0]
          ? existing.description
          : `${ERROR_RESPONSES[status] ?? 'An error'}. Problem codes with this status: ${codes.join(', ')}.`,
      content: status === '422' ? inputGuardContent(errorContent) : errorContent,
    };
  }
  op.summary ??= `${method.toUpperCase()} ${path}`;
  markDeprecated(op);
}

/**
 * A 422 may come from the input guard, which answers application/problem+json on every route. The OpenGDPR
 * specification has no 422 (its routes answer a validation failure as 400, 7.6), so there it is the guard's only.
 */
function inputGuardContent(errorContent: Record<string, { schema: unknown }>): Record<string, { schema: unknown }> {
  if (errorContent === ERROR_CONTENT.opengdpr) return ERROR_CONTENT.problem;
  return { ...errorContent, ...ERROR_CONTENT.problem };
}

/**
 * OpenAPI 3.0's `nullable` adds null to the schema's own `type` only, so what NestJS Swagger writes for a nullable
 * object (`{ nullable, allOf: [$ref] }`) and a nullable enum (`{ nullable, enum }` without null) refuse null to a
 * strict validator, Redocly's example check included. Both become "one of the schema, or null" in 3.0's terms.
 */
function strictNullables(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const value of Object.values(node)) strictNullables(value);
  const schema = node as Record<string, unknown>;
  if (schema.nullable !== true) return;
  // Only null: `type: object` because null is no string, and nullable adds null to it.
  const onlyNull = { type: 'object', nullable: true, enum: [null] };
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
    schema.oneOf = [schema.allOf[0], onlyNull];
    delete schema.allOf;
  } else if (Array.isArray(schema.enum)) {
    schema.oneOf = [{ type: schema.type, enum: schema.enum }, onlyNull];
    delete schema.enum;
  } else return;
  delete schema.nullable;
  delete schema.type;
}

/** `deprecated: true`, the dates and successor in words, and the headers every answer of the operation carries. */
function markDeprecated(op: Operation): void {
  const notice = op[DEPRECATION_EXTENSION] as DeprecationNotice | undefined;
  delete op[DEPRECATION_EXTENSION];
  if (!notice) return;
  op.deprecated = true;
  const words =
    `Deprecated since ${notice.since}; it may be removed after ${notice.sunset}` +
    (notice.successor ? `. Use ${notice.successor} instead.` : '.');
  op.description = op.description ? `${words}\n\n${op.description}` : words;
  for (const response of Object.values(op.responses)) {
    response.headers = {
      ...response.headers,
      Deprecation: { description: 'RFC 9745: when it was deprecated (`@` Unix seconds)', schema: { type: 'string' } },
      Sunset: { description: 'RFC 8594: after this date it may be removed', schema: { type: 'string' } },
    };
  }
}

/** RFC 9457 problem details as this service answers them; `code` is one of the error-code table's. */
function problemSchema() {
  return {
    type: 'object',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', example: 'urn:zgoda:problem:validation_failed' },
      title: { type: 'string', example: 'Validation failed' },
      status: { type: 'integer', example: 422 },
      detail: { type: 'string' },
      code: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'Stable: clients may branch on it' },
      correlationId: { type: 'string', description: 'The request id, also in the logs' },
      errors: {
        type: 'array',
        description: 'Field errors of a 422',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
    additionalProperties: true,
  };
}

/** The OpenGDPR specification's error (7.6), which the /opengdpr routes answer instead of a problem. */
function openGdprErrorSchema() {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'integer', description: 'The HTTP status' },
          message: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: { domain: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}
