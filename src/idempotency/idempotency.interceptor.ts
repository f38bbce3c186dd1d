import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Type } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { canonicalJson } from '../common/json/canonical-json';
import { ProblemError } from '../common/problem/problem.error';
import { IDEMPOTENT_KEY, IdempotentOptions } from './idempotency.types';
import { IdempotencyScope } from './idempotency-scope';
import { IdempotencyService } from './idempotency.service';

const WAIT_FOR_FIRST_MS = 10_000;
const LEASE_RUN_OUT = Symbol('lease run out');

type Options = IdempotentOptions<unknown, unknown>;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyService,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return next.handle();
    if (key.length > 200) throw new ProblemError('bad_request', 'Idempotency-Key is longer than 200 characters.');
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const options = this.reflector.get<Options>(IDEMPOTENT_KEY, ctx.getHandler());
    const controller = (): unknown => this.moduleRef.get(ctx.getClass() as Type<unknown>, { strict: false });
    return from(this.run(req, reply, key, options, controller, () => lastValueFrom(next.handle())));
  }

  private async run(
    req: FastifyRequest,
    reply: FastifyReply,
    key: string,
    options: Options,
    controller: () => unknown,
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
      const answer = await this.replay(principalId, key, requestHash, reply, options, controller);
      if (answer !== LEASE_RUN_OUT) return answer;
      // The database's clock decides (the claim uses now()); a moment for it to agree with ours.
      await new Promise((r) => setTimeout(r, 50));
    }
    let body: unknown;
    try {
      // Inside the scope, the work's own transaction marks the record carried out as it commits.
      body = await IdempotencyScope.run({ principalId, key }, handle);
    } catch (error) {
      // A failed first attempt must not pin the key to an error: release it so the client can retry (unless its work
      // committed before the failure: then the key stays taken, and a retry is told so rather than run it again).
      await this.store.release(principalId, key);
      throw error;
    }
    // The status the handler answered with (Nest sets the route's before the handler runs; a handler may change it).
    await this.store.complete(
      principalId,
      key,
      reply.statusCode,
      options.ref(body, req.params as Record<string, string>),
    );
    return body;
  }

  private async replay(
    principalId: string,
    key: string,
    requestHash: string,
    reply: FastifyReply,
    options: Options,
    controller: () => unknown,
  ) {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const row = await this.store.find(principalId, key);
      if (row && row.requestHash !== requestHash) {
        throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
      }
      if (row?.responseStatus) {
        if (!row.resourceRef) {
          throw new ProblemError(
            'idempotency_replay_unavailable',
            'The first request with this key succeeded; its answer was recorded before replays kept references.',
          );
        }
        if (!options.replay) {
          // A secret is shown once: the reference says what was created, so the client can find it (and revoke it).
          throw new ProblemError(
            'idempotency_secret_not_replayed',
            'The first request with this key succeeded; its answer held a secret, which is shown only once.',
            { ...row.resourceRef },
          );
        }
        const body = await options.replay(controller(), row.resourceRef);
        void reply.status(row.responseStatus).header('idempotent-replayed', 'true');
        return body;
      }
      if (!row)
        throw new ProblemError('conflict', 'The first request with this Idempotency-Key failed; retry with it.');
      const leaseRunOut = !row.leaseUntil || row.leaseUntil.getTime() < Date.now();
      if (row.committedAt && leaseRunOut) {
        // Its work committed, then its process died before the answer was stored: running it again would do it twice.
        throw new ProblemError(
          'idempotency_replay_unavailable',
          'The first request with this key was carried out, but its answer was lost when its process stopped.',
        );
      }
      if (leaseRunOut) return LEASE_RUN_OUT;
      if (Date.now() > deadline)
        throw new ProblemError('idempotency_in_progress', 'The first request with this key is still running.');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
