import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { RequestsService } from '../requests';
import type { PageLang } from '../rendering';
import { choices, FieldErrors, formModel, toldByChoices } from './console-forms';
import { ConsoleNames } from './console-names';
import { Form, requestRow, typeLabel } from './console-pages';
import { clockSentences } from './console-request-clock';
import { ConsoleView, may } from './console-view';

export const EXTEND_FIELDS = ['months', 'reason', 'toldBy', 'toldAt'] as const;
export const REJECT_FIELDS = ['reason'] as const;
export const COMPLETE_FIELDS = ['status', 'reason'] as const;
const SETTLED_TASKS = ['done', 'failed', 'retained'];
// A manual task's outcomes, each with its words.
const TASK_OUTCOMES = { done: 'request.done', retained: 'request.retained', failed: 'request.failedOutcome' };

export type RequestForm = 'extend' | 'reject' | 'complete';

/** A form of the request's page sent back with its errors and the values typed (`taskId`: which task's form). */
export interface RequestPageState {
  form: RequestForm;
  taskId?: string;
  values: Form;
  errors: FieldErrors;
}

/**
 * A request's page (PRODUCT.md 10): its facts, the clock in sentences, the timeline and audit entries, the tasks
 * per data system, and the staff forms (extension, rejection, a manual task's outcome), each refused form coming
 * back with the reason under its field.
 */
@Injectable()
export class ConsoleRequestPage {
  constructor(
    private readonly view: ConsoleView,
    private readonly requests: RequestsService,
    private readonly audit: AuditService,
    private readonly names: ConsoleNames,
    private readonly env: Env,
  ) {}

  async render(req: FastifyRequest, reply: FastifyReply, id: string, state: RequestPageState | null, status = 200) {
    const lang = this.view.lang(req, reply);
    const t = (key: string, vars: Record<string, unknown> = {}) => this.view.t(lang, key, vars);
    const [r, clock, audit] = await Promise.all([
      this.requests.detail(id),
      this.requests.clock(id),
      this.auditOf(req, id, lang),
    ]);
    const row = requestRow(this.view, this.env, r, lang);
    const timeline = [
      { at: r.receivedAt, label: t('request.ev_received') },
      r.verifiedAt ? { at: r.verifiedAt, label: t('request.ev_verified') } : null,
      clock.extendedAt ? { at: clock.extendedAt, label: t('request.ev_extended') } : null,
      r.completedAt ? { at: r.completedAt, label: t('request.ev_completed') } : null,
    ].filter(Boolean);
    const writable = may(req, 'requests:write');
    // The form that came back refused, if it is this one (a manual task's: of this task): shown again as typed.
    const back = (name: RequestForm, taskId?: string) =>
      state?.form === name && state.taskId === taskId ? state : null;
    const form = (name: RequestForm, fields: readonly string[], taskId?: string) =>
      formModel(fields, back(name, taskId));
    const tasks = r.tasks!.map((task) => {
      const manual = writable && task.kind === 'manual' && !SETTLED_TASKS.includes(task.status);
      return {
        id: task.id,
        system: task.system,
        attempts: task.attempts,
        actionLabel: t(`taskAction.${task.action}`),
        statusLabel: t(`taskStatus.${task.status}`),
        lastError: task.lastError ?? null,
        // Nothing is pre-selected: the outcome is the staff member's to choose.
        complete: manual
          ? {
              ...form('complete', COMPLETE_FIELDS, task.id),
              outcomes: choices(
                Object.keys(TASK_OUTCOMES),
                (o) => t(TASK_OUTCOMES[o as keyof typeof TASK_OUTCOMES]),
                back('complete', task.id)?.values.status,
              ),
            }
          : null,
      };
    });
    const title = t('request.title', { type: typeLabel(this.view, r.type, lang) });
    return this.view.render(
      req,
      reply,
      'request',
      {
        title,
        r: {
          ...row,
          resolution: r.resolution ? t(`resolution.${r.resolution}`) : null,
          extensionMonths: r.extensionMonths ?? 0,
          subjectId: r.subjectId ?? null,
        },
        timeline,
        clock: clockSentences(this.view, lang, clock),
        tasks,
        audit,
        extend:
          writable && clock.canExtend
            ? {
                ...form('extend', EXTEND_FIELDS),
                months: choices(['1', '2'], (m) => m, back('extend')?.values.months),
                toldBy: toldByChoices(this.view, lang, back('extend')?.values.toldBy),
              }
            : null,
        reject: writable && row.open ? form('reject', REJECT_FIELDS) : null,
        canRetry: writable && r.status === 'failed',
        download: r.resultAvailable ? `/v1/requests/${id}/result` : null,
        certificate: r.certificateAvailable
          ? {
              page: `/console/requests/${id}/certificate`,
              pdf: `/console/requests/${id}/certificate.pdf`,
              signed: `/v1/requests/${id}/certificate`,
            }
          : null,
        subjectHref:
          r.subjectId && (may(req, 'subjects:read') || may(req, 'consent:read'))
            ? `/console/subjects/${r.subjectId}`
            : null,
      },
      { lang, title, status },
    );
  }

  /** The request's audit entries, oldest first; null for a role that may not read the log (a section, not the page). */
  private async auditOf(req: FastifyRequest, id: string, lang: PageLang) {
    if (!may(req, 'audit:read')) return null;
    const rows = await this.audit.list({ targetId: id, limit: 100 });
    return (await this.names.auditEntries(rows, lang)).reverse();
  }
}
