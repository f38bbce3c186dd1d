import type { Logger } from '@nestjs/common';

/**
 * Frees the socket of an answer whose status is all the caller needs. A cancel that fails changes no outcome (the
 * status is already read, and the connection is dropped anyway), so it is logged and not passed on.
 */
export async function discardBody(res: Response, logger: Logger): Promise<void> {
  await res.body
    ?.cancel()
    .catch((e: unknown) => logger.debug({ err: { name: (e as Error).name } }, 'response body not cancelled'));
}
