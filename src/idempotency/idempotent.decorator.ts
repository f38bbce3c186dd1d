import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblem } from '../common/openapi/responses';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENT_KEY, IdempotentOptions } from './idempotency.types';

export type { IdempotencyRef, IdempotentOptions } from './idempotency.types';

/**
 * The POST honours `Idempotency-Key` (issue 25 item 8): a replay within IDEMPOTENCY_TTL_HOURS answers the first
 * status and the created resource read again, another body under the same key is refused. The record keeps the
 * status and `ref`, never the answer's body: bodies held new API keys and decrypted e-mail addresses in plain text.
 */
export const Idempotent = <C, B = unknown>(options: IdempotentOptions<C, B>) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A retry with the same key and body, within IDEMPOTENCY_TTL_HOURS (default 24), answers the first status ' +
        'and the created resource as it is now; another body under the key is refused',
    }),
    ApiProblem(
      'idempotency_in_progress',
      'idempotency_replay_unavailable',
      ...(options.replay ? [] : (['idempotency_secret_not_replayed'] as const)),
    ),
  );
