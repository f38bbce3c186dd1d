import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is acting. Audit entries record `kind` and `id`, never a name or e-mail. */
export interface Principal {
  kind: 'api_key' | 'staff' | 'subject_token' | 'system';
  id: string;
  scopes: readonly string[];
  /** An API key set to keep every consent decision it asks for (issue 14 item 3). */
  recordDecisions?: boolean;
}

export const SYSTEM_PRINCIPAL: Principal = { kind: 'system', id: 'zgoda', scopes: ['admin'] };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal ?? SYSTEM_PRINCIPAL,
);
