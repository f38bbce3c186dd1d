import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AffectedSelection,
  AffectedSubjectsService,
  AuthorityNotificationsService,
  BreachesService,
  BreachResponse,
  BreachStatsService,
  NOTIFICATION_PHASES,
  RISK_ASSESSMENTS,
  toBreachView,
  toEventView,
  toNotificationView,
} from '../breaches';
import { formatDateTime } from '../rendering';
import { SystemsService } from '../systems';
import type { PageLang } from '../rendering';
import { BREACH_FIELDS, NOTIFICATION_FIELDS, SELECTION_FIELDS, systemField, warsawLocal } from './console-breach-form';
import { FieldErrors, noErrors } from './console-forms';
import { ConsoleNames } from './console-names';
import { Form } from './console-pages';
import { ConsoleView } from './console-view';

/** What a breach page shows besides the incident: a form sent back with its errors, or a selection preview. */
export interface BreachPageState {
  form?: 'edit' | 'notification' | 'selection';
  values?: Form;
  errors?: FieldErrors;
  preview?: AffectedSelection & { criteria: Form };
}

/**
 * The breach pages' models: the list with the 72-hour countdown and KPIs, and an incident with its clock
 * explained, its UODO notifications, the people affected and its history. Services, not the HTTP API.
 */
@Injectable()
export class ConsoleBreachPages {
  constructor(
    private readonly view: ConsoleView,
    private readonly breaches: BreachesService,
    private readonly notifications: AuthorityNotificationsService,
    private readonly affected: AffectedSubjectsService,
    private readonly stats: BreachStatsService,
    private readonly systems: SystemsService,
    private readonly names: ConsoleNames,
  ) {}

  async systemKeys(): Promise<string[]> {
    return (await this.systems.listActive()).map((s) => s.key);
  }

  async list(req: FastifyRequest, reply: FastifyReply) {
    const lang = this.view.lang(req, reply);
    const now = new Date();
    const [rows, kpi] = await Promise.all([this.breaches.list({ limit: 200 }), this.stats.stats(undefined, undefined)]);
    const title = this.view.t(lang, 'breaches.title');
    // One decimal, written the page's way by the message ("69,9 godz." in Polish).
    const hours = (h: number | null) =>
      h === null
        ? this.view.t(lang, 'breaches.noData')
        : this.view.t(lang, 'breaches.hours', { hours: Math.round(Number(h) * 10) / 10 });
    return this.view.render(
      req,
      reply,
      'breaches',
      {
        title,
        breaches: rows.map((b) => {
          const v = toBreachView(b, now);
          return {
            id: v.id,
            href: `/console/breaches/${v.id}`,
            summary: v.description.length > 90 ? `${v.description.slice(0, 89)}…` : v.description,
            awareAt: v.awareAt,
            openLabel: this.view.t(lang, 'breaches.open', { date: formatDateTime(b.awareAt, lang) }),
            status: this.view.t(lang, `breachStatus.${v.status}`),
            risk: this.view.t(lang, `risk.${v.riskAssessment ?? 'unassessed'}`),
            ...this.clock(v, lang),
          };
        }),
        kpis: [
          { label: this.view.t(lang, 'breaches.kpiTotal'), value: String(kpi.total) },
          { label: this.view.t(lang, 'breaches.kpiOverdue'), value: String(kpi.deadlines.overdue) },
          { label: this.view.t(lang, 'breaches.kpiAtRisk'), value: String(kpi.deadlines.atRisk) },
          { label: this.view.t(lang, 'breaches.kpiContain'), value: hours(kpi.hoursToContainment.median) },
          { label: this.view.t(lang, 'breaches.kpiNotify'), value: hours(kpi.hoursToAuthorityNotification.median) },
          { label: this.view.t(lang, 'breaches.kpiLate'), value: String(kpi.notifiedLateCount) },
        ],
      },
      { lang, title },
    );
  }

  /** The new-incident form, empty or sent back with its errors. */
  async create(req: FastifyRequest, reply: FastifyReply, values: Form, errors: FieldErrors, status = 200) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'breach.newTitle');
    return this.view.render(
      req,
      reply,
      'breach-new',
      { title, form: this.formModel(lang, values, errors, await this.systems.listActive()) },
      { lang, title, status, wide: false },
    );
  }

  async detail(req: FastifyRequest, reply: FastifyReply, id: string, state: BreachPageState = {}, status = 200) {
    const lang = this.view.lang(req, reply);
    const [breach, notices, counts, events, systems] = await Promise.all([
      this.breaches.get(id),
      this.notifications.list(id),
      this.affected.counts(id),
      this.breaches.history(id, undefined, 200),
      this.systems.listActive(),
    ]);
    const v = toBreachView(breach);
    const title = this.view.t(lang, 'breach.title', { date: formatDateTime(breach.awareAt, lang) });
    const open = v.status !== 'closed';
    const editValues = state.form === 'edit' ? state.values! : this.valuesOf(v);
    const actors = await Promise.all(events.map((e) => this.names.nameOf(`${e.actorType}:${e.actorId}`, lang)));
    return this.view.render(
      req,
      reply,
      'breach',
      {
        title,
        breach: {
          ...v,
          statusLabel: this.view.t(lang, `breachStatus.${v.status}`),
          riskLabel: this.view.t(lang, `risk.${v.riskAssessment ?? 'unassessed'}`),
          systemsText: v.systems.join(', '),
          dataCategoriesText: v.dataCategories.join(', '),
          subjectCategoriesText: v.subjectCategories.join(', '),
        },
        clock: {
          ...this.clock(v, lang),
          explain: this.view.t(lang, 'clock.explain', {
            by: formatDateTime(new Date(v.deadline.notifyAuthorityBy), lang),
          }),
        },
        open,
        canContain: v.status === 'open',
        editOpen: state.form === 'edit',
        edit: this.formModel(
          lang,
          editValues,
          state.form === 'edit' ? state.errors! : noErrors(BREACH_FIELDS),
          systems,
        ),
        notifications: notices.map(toNotificationView).map((n) => ({
          ...n,
          phaseLabel: this.view.t(lang, `phase.${n.phase}`),
        })),
        notification: {
          phases: NOTIFICATION_PHASES.map((p) => ({
            value: p,
            label: this.view.t(lang, `phase.${p}`),
            selected:
              (state.form === 'notification' ? state.values!.phase : notices.length ? 'supplementary' : 'initial') ===
              p,
          })),
          values: state.form === 'notification' ? state.values! : { sentAt: '', reference: '', delayReasons: '' },
          errors: state.form === 'notification' ? state.errors! : noErrors(NOTIFICATION_FIELDS),
        },
        counts: this.view.t(lang, 'breach.affectedCounts', {
          total: counts.total,
          sent: counts.sent,
          pending: counts.pending,
          withoutEmail: counts.withoutEmail,
        }),
        selection: this.selectionModel(v, state, systems),
        preview: state.preview ? this.previewModel(lang, state.preview) : null,
        notices: {
          allowed: v.riskAssessment === 'high_risk',
          pending: counts.pending,
          label: this.view.t(lang, 'breach.sendNotices', { pending: counts.pending }),
        },
        history: events.map(toEventView).map((e, i) => ({
          at: e.occurredAt,
          who: actors[i],
          what: this.view.t(lang, `breach.event.${e.type}`, {
            fields: Object.keys(e.data ?? {}).join(', '),
            added: Number((e.data as { added?: number } | null)?.added ?? 0),
          }),
        })),
      },
      { lang, title, status, wide: false },
    );
  }

  /** The 72-hour countdown of Art. 33(1) as a label and a badge colour. */
  private clock(v: BreachResponse, lang: PageLang) {
    const d = v.deadline;
    if (d.running) {
      const hours = Math.abs(Math.trunc(d.hoursLeft ?? 0));
      return d.overdue
        ? { clockLabel: this.view.t(lang, 'clock.overdue', { hours }), badge: 'bad' }
        : { clockLabel: this.view.t(lang, 'clock.left', { hours }), badge: d.atRisk ? 'warn' : 'ok' };
    }
    if (d.notifiedAt) {
      const at = formatDateTime(new Date(d.notifiedAt), lang);
      return d.notifiedLate
        ? { clockLabel: this.view.t(lang, 'clock.notifiedLate', { at }), badge: 'warn' }
        : { clockLabel: this.view.t(lang, 'clock.notified', { at }), badge: 'neutral' };
    }
    if (v.riskAssessment === 'none') return { clockLabel: this.view.t(lang, 'clock.notNeeded'), badge: 'neutral' };
    return { clockLabel: this.view.t(lang, 'clock.stopped'), badge: 'neutral' };
  }

  private valuesOf(v: BreachResponse): Form {
    return {
      description: v.description,
      awareAt: warsawLocal(v.awareAt),
      occurredAt: warsawLocal(v.occurredAt),
      containedAt: warsawLocal(v.containedAt),
      reportedBy: v.reportedBy,
      dataCategories: v.dataCategories.join(', '),
      subjectCategories: v.subjectCategories.join(', '),
      approxSubjects: v.approxSubjects === null ? '' : String(v.approxSubjects),
      approxRecords: v.approxRecords === null ? '' : String(v.approxRecords),
      likelyConsequences: v.likelyConsequences ?? '',
      measuresTaken: v.measuresTaken ?? '',
      measuresProposed: v.measuresProposed ?? '',
      riskAssessment: v.riskAssessment ?? '',
      riskReasoning: v.riskReasoning ?? '',
      ...Object.fromEntries(v.systems.map((k) => [systemField(k), 'yes'])),
    };
  }

  private formModel(lang: PageLang, values: Form, errors: FieldErrors, systems: ActiveSystem[]) {
    const value = (f: string) => values[f] ?? '';
    return {
      values: Object.fromEntries(BREACH_FIELDS.map((f) => [f, value(f)])),
      errors,
      systems: systemChoices(systems, values),
      risks: RISK_ASSESSMENTS.map((r) => ({
        value: r,
        label: this.view.t(lang, `risk.${r}`),
        selected: values.riskAssessment === r,
      })),
    };
  }

  private selectionModel(v: BreachResponse, state: BreachPageState, systems: ActiveSystem[]) {
    const values: Form =
      state.form === 'selection'
        ? state.values!
        : {
            dataCategories: v.dataCategories.join(', '),
            from: '',
            to: '',
            ...Object.fromEntries(v.systems.map((k) => [systemField(k), 'yes'])),
          };
    return {
      values: { dataCategories: values.dataCategories ?? '', from: values.from ?? '', to: values.to ?? '' },
      errors: state.form === 'selection' ? state.errors! : noErrors(SELECTION_FIELDS),
      systems: systemChoices(systems, values),
    };
  }

  private previewModel(lang: PageLang, p: AffectedSelection & { criteria: Form }) {
    const count = p.count ?? 0;
    return {
      text: this.view.t(lang, 'breach.previewResult', {
        count,
        systems: p.matchedSystems.join(', ') || '—',
        from: formatDateTime(new Date(p.from), lang),
        to: formatDateTime(new Date(p.to), lang),
      }),
      assumed: p.assumedAllSystems.length
        ? this.view.t(lang, 'breach.previewAssumed', { systems: p.assumedAllSystems.join(', ') })
        : null,
      confirmLabel: this.view.t(lang, 'breach.confirm', { count }),
      count,
      hidden: Object.entries(p.criteria).map(([name, value]) => ({ name, value: value ?? '' })),
    };
  }
}

type ActiveSystem = { key: string; name: string };

/** The data systems as checkboxes, ticked as the form says (the incident's form and the selection's share them). */
function systemChoices(systems: ActiveSystem[], values: Form) {
  return systems.map((s) => ({
    field: systemField(s.key),
    key: s.key,
    name: s.name,
    checked: values[systemField(s.key)] === 'yes',
  }));
}
