import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_STATUS, ErrorCode } from '../common/problem/error-codes';
import { ProblemError } from '../common/problem/problem.error';
import { CSRF_HEADER } from '../users';

/**
 * The console is a server-rendered client of the JSON API: each page calls the API in-process
 * (`fastify.inject`, no network) with the staff member's own session cookie. Scopes, validation,
 * transactions and audit entries are therefore exactly the API's; the console adds no second path
 * to the data that could drift from it.
 */
@Injectable()
export class ConsoleApi {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  private get fastify(): FastifyInstance {
    return this.adapterHost.httpAdapter.getInstance() as FastifyInstance;
  }

  async call<T = any>(req: FastifyRequest, method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-correlation-id': String(req.id) };
    if (req.headers.cookie) headers.cookie = req.headers.cookie;
    if (req.staffSession) headers[CSRF_HEADER] = req.staffSession.session.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fastify.inject({
      method: method as 'GET',
      url,
      headers,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.statusCode >= 400) {
      let code: ErrorCode = 'internal_error';
      try {
        const parsed = JSON.parse(res.body) as { code?: string };
        if (parsed.code && parsed.code in ERROR_STATUS) code = parsed.code as ErrorCode;
      } catch {
        // not JSON: keep the generic code
      }
      throw new ProblemError(code);
    }
    if (!res.body) return undefined as T;
    return (/json/.test(String(res.headers['content-type'])) ? JSON.parse(res.body) : res.body) as T;
  }

  get<T = any>(req: FastifyRequest, url: string): Promise<T> {
    return this.call<T>(req, 'GET', url);
  }

  /** Like `get`, but null when the caller's role may not see it (a section of a page, not the page). */
  async optional<T = any>(req: FastifyRequest, url: string): Promise<T | null> {
    try {
      return await this.get<T>(req, url);
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'forbidden') return null;
      throw e;
    }
  }
}
