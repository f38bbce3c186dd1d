import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { Principal } from '../common/auth/principal';
import { hasScope } from '../common/auth/scopes';
import { requestContext } from '../common/context/request-context';
import { replyWithProblem } from '../common/problem/problem.filter';
import { BatchDecisionDto, DecisionQuery } from './consent-decision.dto';
import { ConsentDecisionService, recordAs } from './consent-decision.service';
import { Channel, PURPOSE_KEY_PATTERN } from './consent.types';

export const CHECK_ROUTE = '/v1/consents/check';

const CHANNELS = new Set<string>(Object.values(Channel));
/** DecisionQuery's fields and their longest values (MaxLength there); the others are checked one by one. */
const LONGEST: Record<string, number> = { email: 1024, phone: 64, externalId: 400 };

/**
 * The query exactly as DecisionQuery's validation would accept it (the same checks, class-validator's own
 * `isUUID`, `.length` as MaxLength counts), or null when anything is off: unknown or repeated fields, a
 * value too long, a bad purpose key, channel, id or `record`. Null sends the request through Nest's pipeline,
 * which answers with its field errors, so a refusal reads the same whichever way the request came.
 */
export function plainCheckQuery(query: unknown): DecisionQuery | null {
  if (typeof query !== 'object' || query === null) return null;
  const q = query as Record<string, unknown>;
  const out: DecisionQuery = { purpose: '', channel: Channel.Email };
  let purpose = false;
  let channel = false;
  for (const key of Object.keys(q)) {
    const v = q[key];
    if (typeof v !== 'string') return null;
    switch (key) {
      case 'purpose':
        if (v.length < 1 || v.length > 64 || !PURPOSE_KEY_PATTERN.test(v)) return null;
        out.purpose = v;
        purpose = true;
        break;
      case 'channel':
        if (!CHANNELS.has(v)) return null;
        out.channel = v as Channel;
        channel = true;
        break;
      case 'subjectId':
        if (!isUUID(v)) return null;
        out.subjectId = v;
        break;
      case 'email':
      case 'phone':
      case 'externalId':
        if (v.length > LONGEST[key]) return null;
        out[key] = v;
        break;
      case 'record':
        if (v !== 'true' && v !== 'false') return null;
        out.record = v === 'true';
        break;
      default:
        return null;
    }
  }
  return purpose && channel ? out : null;
}

type BatchList = 'subjectIds' | 'emails' | 'phones' | 'externalIds';
/** BatchDecisionDto's lists and the longest entry each takes (null: a UUID). */
const BATCH_LISTS: Record<BatchList, number | null> = { subjectIds: null, emails: 1024, phones: 64, externalIds: 400 };

/**
 * The batch's body exactly as BatchDecisionDto's validation would accept it, or null (Nest's pipeline then answers,
 * with its field errors), as `plainCheckQuery` does for the single check. A null where a field is optional is taken
 * as the pipe takes it (`IsOptional` lets it through, and it is kept); how many lists were given, and how long the
 * list is, the service checks either way. One pass over the list, with class-validator's own `isUUID` per id.
 */
export function plainBatchBody(body: unknown): BatchDecisionDto | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const out = { purpose: '', channel: Channel.Email } as BatchDecisionDto;
  let purpose = false;
  let channel = false;
  for (const key of Object.keys(b)) {
    const v = b[key];
    if (key === 'purpose') {
      if (typeof v !== 'string' || v.length < 1 || v.length > 64 || !PURPOSE_KEY_PATTERN.test(v)) return null;
      out.purpose = v;
      purpose = true;
    } else if (key === 'channel') {
      if (typeof v !== 'string' || !CHANNELS.has(v)) return null;
      out.channel = v as Channel;
      channel = true;
    } else if (key === 'record') {
      if (v !== null && typeof v !== 'boolean') return null;
      out.record = v as boolean;
    } else if (Object.prototype.hasOwnProperty.call(BATCH_LISTS, key)) {
      if (v !== null && !plainList(v, BATCH_LISTS[key as BatchList])) return null;
      out[key as BatchList] = v as string[];
    } else {
      return null;
    }
  }
  return purpose && channel ? out : null;
}

function plainList(v: unknown, longest: number | null): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'string') return false;
    if (longest === null ? !isUUID(e) : e.length > longest) return false;
  }
  return true;
}

/**
 * Issue 16 item 1: `GET /v1/consents/check` is the one route marketing systems call per contact, so its common
 * case (a valid query from a caller holding `consent:read`) is served by this handler, put in place of the one
 * Nest registers for the route (Fastify's onRoute hook), without Nest's guard, pipe and filter chain: the
 * profile showed that chain (class-validator and class-transformer building a DecisionQuery, the reflector
 * reading metadata, the execution context) costing a quarter of a check. Fastify's own hooks still run
 * (security headers, correlation id, staff sessions, input guard, metrics and access log). Anything else (no
 * or a wrong key, a missing scope, a query that would not validate) is handed to Nest's handler, so the
 * 401/403/422 answers and their field errors stay the ones the contract documents; the controller stays the
 * route's declaration for the OpenAPI document. The batch (`POST`) is served the same way: there the pipe's
 * class-validator pass over 10,000 ids was a sixth of a batch's time.
 */
@Injectable()
export class ConsentCheckRoute {
  constructor(private readonly decisions: ConsentDecisionService) {}

  /** Call before the application's init (when Nest registers its routes). */
  attach(fastify: FastifyInstance, principalOf: (req: FastifyRequest) => Promise<Principal | null>): void {
    const decisions = this.decisions;
    fastify.addHook('onRoute', (route) => {
      if (route.url !== CHECK_ROUTE || (route.method !== 'GET' && route.method !== 'POST')) return;
      const nest = route.handler as RouteHandlerMethod;
      const single = route.method === 'GET';
      route.handler = async function check(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
        const input = single ? plainCheckQuery(req.query) : plainBatchBody(req.body);
        const principal = input && (await principalOf(req));
        if (!input || !principal || !hasScope(principal.scopes, ['consent:read'])) return nest.call(this, req, reply);
        req.principal = principal;
        requestContext.setPrincipal(principal);
        const as = recordAs(input.record ?? undefined, principal);
        try {
          return await (single
            ? decisions.checkOne(input as DecisionQuery, as)
            : decisions.checkBatch(input as BatchDecisionDto, as));
        } catch (error) {
          replyWithProblem(req, reply, error);
          return reply;
        }
      };
    });
  }
}
