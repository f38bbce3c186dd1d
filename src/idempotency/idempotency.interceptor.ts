import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { canonicalJson } from '../common/json/canonical-json';
import { ProblemError } from '../common/problem/problem.error';
import { IdempotencyService } from './idempotency.service';

const WAIT_FOR_FIRST_MS = 10_000;
const LEASE_RUN_OUT = Symbol('lease run out');

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return next.handle();
    if (key.length > 200) throw new ProblemError('bad_request', 'Idempotency-Key is longer than 200 characters.');
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
    return from(this.run(req, reply, key, status, () => lastValueFrom(next.handle())));
  }

  private async run(
    req: FastifyRequest,
    reply: FastifyReply,
    key: string,
    status: number,
    handle: () => Promise<unknown>,
  ) {
    const principalId = req.principal ? `${req.principal.kind}:${req.principal.id}` : 'public';
    const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
    const requestHash = createHash('sha256')
      .update(route)
      .update(canonicalJson(req.body ?? null))
      .update(req.url)
      .digest('hex');
    // The primary key makes the claim atomic: of two concurrent duplicates exactly one inserts and runs. A claim
    // whose lease ran out with no answer (its process died mid-request) is taken over by the next retry.
    for (;;) {
      if (await this.store.claim({ principalId, key, route, requestHash })) break;
      const answer = await this.replay(principalId, key, requestHash, reply);
      if (answer !== LEASE_RUN_OUT) return answer;
      // The database's clock decides (the claim uses now()); a moment for it to agree with ours.
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      const body = await handle();
      await this.store.complete(principalId, key, status, body ?? null);
      return body;
    } catch (error) {
      // A failed first attempt must not pin the key to an error: release it so the client can retry.
      await this.store.release(principalId, key);
      throw error;
    }
  }

  private async replay(principalId: string, key: string, requestHash: string, reply: FastifyReply) {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const row = await this.store.find(principalId, key);
      if (row && row.requestHash !== requestHash) {
        throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
      }
      if (row?.responseStatus) {
        void reply.status(row.responseStatus).header('idempotent-replayed', 'true');
        return row.responseBody;
      }
      if (!row)
        throw new ProblemError('conflict', 'The first request with this Idempotency-Key failed; retry with it.');
      if (!row.leaseUntil || row.leaseUntil.getTime() < Date.now()) return LEASE_RUN_OUT;
      if (Date.now() > deadline)
        throw new ProblemError('idempotency_in_progress', 'The first request with this key is still running.');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
