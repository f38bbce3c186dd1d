import { applyDecorators, CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CsrfService } from './csrf.service';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly csrf: CsrfService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (!SAFE.has(req.method)) this.csrf.verify(req);
    return true;
  }
}

/**
 * On every route (or controller) that takes an HTML form post. Place it after any session guard that
 * sets `req.csrfBinding`: guards run in declaration order, global first.
 */
export const CsrfProtected = () => applyDecorators(UseGuards(CsrfGuard));
