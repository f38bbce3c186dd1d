import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { requestContext } from '../common/context/request-context';
import { ProblemError } from '../common/problem/problem.error';
import { ApiKeysService } from './api-keys.service';
import { Principal } from '../common/auth/principal';
import { hasScope, PUBLIC_KEY, Scope, SCOPES_KEY } from '../common/auth/scopes';

/** Additional ways to authenticate (staff sessions) plug in here without touching the guard. */
export abstract class PrincipalResolver {
  abstract resolve(req: FastifyRequest): Promise<Principal | null>;
}

/** Denies by default: a route that declares neither `@Public()` nor `@RequireScopes()` is refused. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    if (!scopes?.length) throw new ProblemError('forbidden', 'This route is not open to any credential.');
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.keys.principalOf(req);
    if (!principal) throw new ProblemError('unauthorized', 'A valid API key is required.');
    req.principal = principal;
    requestContext.setPrincipal(principal);
    if (!hasScope(principal.scopes, scopes)) {
      throw new ProblemError('forbidden', `This route needs one of the scopes: ${scopes.join(', ')}.`);
    }
    return true;
  }
}
