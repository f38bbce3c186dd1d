import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtension,
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../problem/error-codes';

/** Set by `ApiErrorsAs`: the media type (and schema) this route's errors use instead of problem+json. */
export const ERROR_MEDIA_EXTENSION = 'x-zgoda-error-media';

/**
 * The problem codes an operation answers beyond the generic ones (401, 403, 404 of an unknown id, 422 of field
 * errors), grouped by the status the one error-code table gives them, so a code and its status never disagree.
 * Declare them in one call per operation: a second call for the same status would replace the first.
 */
export function ApiProblem(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({ status, description: `Problem code ${list.map((c) => `\`${c}\``).join(', ')}` }),
    ),
  );
}

/**
 * Errors in another shape than problem+json: the HTML pages a person opens from an e-mail answer an HTML page
 * (`text/html`); the routes a form posts to answer a page to the form and a problem to a JSON client
 * (`page-or-problem`); the OpenGDPR routes answer the specification's own JSON error (7.6).
 */
export function ApiErrorsAs(media: 'text/html' | 'page-or-problem' | 'opengdpr'): MethodDecorator & ClassDecorator {
  return ApiExtension(ERROR_MEDIA_EXTENSION, media);
}

/** An HTML page (a person's browser, not a client, reads it). */
export function ApiHtml(description: string, status = 200): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'text/html': { schema: { type: 'string' } } } });
}

/** A file or stream: the media types it is sent as. */
export function ApiFile(description: string, ...mediaTypes: string[]): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status: 200,
    description,
    content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }])),
  });
}

/** A page of a list: `items` of the model and the opaque `nextCursor` (null on the last page). */
export function ApiPage(model: Type<unknown>, description = 'One page, in a stable order'): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      description,
      schema: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            description: 'Pass as `cursor` for the next page; null on the last page',
          },
        },
      },
    }),
  );
}

/** A body a person's form posts (urlencoded) or a client sends as JSON; either may be empty (the token in the query). */
export function ApiFormOrJsonBody(type: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({ type, required: false }),
  );
}

/** A page for a browser or JSON for a client, by the request's content type (a form post or JSON). */
export function ApiPageOrJson(status: number, description: string, model: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description,
      content: {
        'text/html': { schema: { type: 'string' } },
        'application/json': { schema: { $ref: getSchemaPath(model) } },
      },
    }),
  );
}

/** One public key of a JSON Web Key Set (RFC 7517): Ed25519 (OKP) or P-256 (EC). */
export class JwkView {
  @ApiProperty({ enum: ['OKP', 'EC'] })
  kty: string;

  @ApiProperty({ description: 'The key id a signature names in its `kid` header' })
  kid: string;

  @ApiProperty({ enum: ['EdDSA', 'ES256'] })
  alg: string;

  @ApiProperty({ enum: ['sig'] })
  use: string;

  @ApiProperty({ enum: ['Ed25519', 'P-256'] })
  crv: string;

  @ApiProperty()
  x: string;

  @ApiPropertyOptional({ description: 'EC keys' })
  y?: string;
}

export class JwksResponse {
  @ApiProperty({ type: [JwkView] })
  keys: JwkView[];
}
