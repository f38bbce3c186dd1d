import { ParseUUIDPipe } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { OPEN_STATUSES } from '../requests';
import type { PageLang } from '../rendering';
import { ConsoleView, redirect } from './console-view';

/** What the console's pages share: form and id parsing, Post/Redirect/Get, the request row of a list. */

export type Form = Record<string, string | undefined>;
export const Id = () => new ParseUUIDPipe({ version: '4' });
// The legal clock still runs on a failed request: it is open work with a deadline (request-state.ts).
export const OPEN: readonly string[] = OPEN_STATUSES;

/** Post/Redirect/Get: back to the page with a notice, or with the problem's code when the API refused. */
export async function act(reply: FastifyReply, back: string, notice: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return redirect(reply, `${back}?problem=${e.code}`);
  }
  redirect(reply, `${back}?notice=${notice}`);
}

/** A refusal the page names in a notice; faults, and refusals of who may act, go to the error page instead. */
export function isRefusal(e: unknown): e is ProblemError {
  return e instanceof ProblemError && e.status < 500 && e.code !== 'forbidden' && e.code !== 'unauthorized';
}

/**
 * A form's `datetime-local` value (no zone) as the instant it names in Polish time, with its offset; what the
 * API needs, since an instant without a zone would be read in the server's. Anything else: undefined (422).
 */
export function warsawInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const at = DateTime.fromISO(value, { zone: 'Europe/Warsaw' });
  return at.isValid ? at.toISO({ suppressMilliseconds: true })! : undefined;
}

export function typeLabel(view: ConsoleView, type: string, lang: PageLang): string {
  return view.pages.text(lang, `console.type.${type}`);
}

export function requestRow(view: ConsoleView, env: Env, r: RequestRow, lang: PageLang) {
  const due = r.extendedDueAt ?? r.dueAt;
  const open = OPEN.includes(r.status);
  const dueMs = new Date(due).getTime();
  const deadline = !open
    ? 'closed'
    : dueMs < Date.now()
      ? 'overdue'
      : dueMs < Date.now() + env.REQUEST_AT_RISK_DAYS * 86_400_000
        ? 'atRisk'
        : 'onTime';
  return {
    id: r.id,
    href: `/console/requests/${r.id}`,
    type: r.type,
    typeLabel: typeLabel(view, r.type, lang),
    status: view.t(lang, `status.${r.status}`),
    receivedAt: r.receivedAt,
    due,
    dueSort: dueMs,
    open,
    deadline,
    deadlineLabel: view.t(lang, `requests.${deadline}`),
    badge: deadline === 'overdue' ? 'bad' : deadline === 'atRisk' ? 'warn' : deadline === 'closed' ? 'neutral' : 'ok',
  };
}

/** A request as a list shows it: what the deadline badge and the row need. */
export interface RequestRow {
  id: string;
  type: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
}
