import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOLD_OFFLINE } from '../common/validation/told-by';
import { Env } from '../config/env';
import { Channel } from '../consent';
import { formatDateTime } from '../notifications';
import { REQUEST_TYPES } from '../requests';
import { HOLD_BASES, RESTRICTION_GROUNDS } from '../subjects';
import type { PageLang } from '../web';
import { ConsoleApi } from './console-api.service';
import { FieldErrors, noErrors } from './console-forms';
import { ConsentRow, Form, PurposeRow, RequestRow, requestRow, typeLabel } from './console-pages';
import { ConsoleView, may } from './console-view';

const CHANNELS: string[] = Object.values(Channel);
export const HOLD_FIELDS = ['reason', 'legalBasis', 'categories', 'until'] as const;
export const RESTRICT_FIELDS = ['reason'] as const;
export const LIFT_FIELDS = ['toldBy', 'toldAt'] as const;
export const REQUEST_FIELDS = ['type', 'receivedAt', 'details'] as const;

export type SubjectForm = 'hold' | 'restrict' | 'lift' | 'request';

/** A form of the person's page sent back with its errors and the values typed. */
export interface SubjectPageState {
  form: SubjectForm;
  values: Form;
  errors: FieldErrors;
}

interface SubjectRead {
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  status: string;
  restriction: { reason: string; since: string; liftNotice: { requestedAt: string } | null } | null;
  objections: { directMarketingSince: string | null; purposes: string[] };
  holds: {
    id: string;
    reason: string | null;
    legalBasis: string | null;
    categories: string[];
    until: string | null;
    active: boolean;
  }[];
}

/**
 * The person's page: identifiers, consents per purpose and channel in words, requests, holds, restriction and
 * objection, with the actions staff take for the person. The subject is read through the API in-process, so the
 * view is audited exactly as the API's own read (`subject.viewed`, the staff member as actor).
 */
@Injectable()
export class ConsoleSubjectPage {
  constructor(
    private readonly view: ConsoleView,
    private readonly api: ConsoleApi,
    private readonly env: Env,
  ) {}

  async render(req: FastifyRequest, reply: FastifyReply, id: string, state: SubjectPageState | null, status = 200) {
    const lang = this.view.lang(req, reply);
    const seesIdentity = may(req, 'subjects:read');
    const [identity, consents, requests, purposes] = await Promise.all([
      seesIdentity ? this.api.get<SubjectRead>(req, `/v1/subjects/${id}`) : null,
      this.api.optional<{ items: ConsentRow[] }>(req, `/v1/subjects/${id}/consents`),
      this.api.optional<{ items: RequestRow[] }>(req, `/v1/requests?subjectId=${id}&limit=100`),
      this.api.get<{ items: PurposeRow[] }>(req, '/v1/purposes?limit=200'),
    ]);
    const names = new Map(purposes.items.map((p) => [p.key, p.name]));
    const t = (key: string, vars: Record<string, unknown> = {}) => this.view.t(lang, key, vars);
    const at = (iso: string) => formatDateTime(new Date(iso), lang);
    // Every field the template reads is present (strict templates): typed values come back, others are empty.
    const form = (name: SubjectForm, fields: readonly string[]) => ({
      values: Object.fromEntries(fields.map((f) => [f, state?.form === name ? (state.values[f] ?? '') : ''])),
      errors: state?.form === name ? state.errors : noErrors(fields),
    });
    const writes = may(req, 'subjects:write') && identity?.status !== 'erased';
    const title = t('subject.title');
    return this.view.render(
      req,
      reply,
      'subject',
      {
        title,
        id,
        identity: identity
          ? {
              email: identity.email ?? null,
              phone: identity.phone ?? null,
              name: [identity.firstName, identity.lastName].filter(Boolean).join(' ') || null,
              externalId: identity.externalId ?? null,
              status: identity.status,
            }
          : null,
        consents: consents
          ? consents.items.map((c) => ({
              purposeName: names.get(c.purpose) ?? c.purpose,
              channelLabel: t(`channel.${c.channel}`),
              statusLabel: t(`consentStatus.${c.status}`),
              version: c.version ?? null,
              grantedAt: c.grantedAt ?? null,
              proofHref: c.consentId ? `/v1/subjects/${id}/consents/${c.consentId}/proof` : null,
              proofLabel: t('subject.proofLink', { purpose: names.get(c.purpose) ?? c.purpose, channel: c.channel }),
            }))
          : null,
        requests: requests ? requests.items.map((r) => requestRow(this.view, this.env, r, lang)) : null,
        record: may(req, 'consent:write')
          ? {
              purposes: purposes.items.filter((p) => p.currentVersion).map((p) => ({ key: p.key, name: p.name })),
              channels: CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) })),
            }
          : null,
        holds: identity
          ? identity.holds.map((h) => ({
              id: h.id,
              reason: h.reason ?? '',
              basis: h.legalBasis ? t(`holdBasis.${h.legalBasis}`) : '',
              categories: h.categories.length ? h.categories.join(', ') : t('person.holdAll'),
              until: h.until ? t('person.holdUntilText', { until: at(h.until) }) : null,
              active: h.active,
            }))
          : null,
        restriction: identity
          ? identity.restriction
            ? {
                text: t('person.restrictedSince', {
                  since: at(identity.restriction.since),
                  ground: t(`restrictionGround.${identity.restriction.reason}`),
                }),
                pending: identity.restriction.liftNotice
                  ? t('person.liftPending', { at: at(identity.restriction.liftNotice.requestedAt) })
                  : null,
              }
            : null
          : null,
        objection: identity ? this.objection(identity, names, lang) : null,
        writes,
        hold: {
          ...form('hold', HOLD_FIELDS),
          bases: options(HOLD_BASES, (b) => t(`holdBasis.${b}`), state, 'hold', 'legalBasis'),
        },
        restrict: {
          ...form('restrict', RESTRICT_FIELDS),
          grounds: options(RESTRICTION_GROUNDS, (g) => t(`restrictionGround.${g}`), state, 'restrict', 'reason'),
        },
        lift: {
          ...form('lift', LIFT_FIELDS),
          toldBy: options(
            TOLD_OFFLINE,
            (w) => t(`request.toldBy${w === 'in_person' ? 'InPerson' : w[0].toUpperCase() + w.slice(1)}`),
            state,
            'lift',
            'toldBy',
          ),
        },
        request:
          may(req, 'requests:write') && identity?.status !== 'erased'
            ? {
                ...form('request', REQUEST_FIELDS),
                types: REQUEST_TYPES.map((type) => ({
                  value: type,
                  label: typeLabel(this.view, type, lang),
                  checked: state?.form === 'request' && state.values.type === type,
                })),
                verified: state?.form === 'request' && state.values.verified === 'yes',
              }
            : null,
      },
      { lang, title, status },
    );
  }

  private objection(s: SubjectRead, names: Map<string, string>, lang: PageLang): string[] {
    const out: string[] = [];
    if (s.objections.directMarketingSince)
      out.push(
        this.view.t(lang, 'person.directMarketing', {
          since: formatDateTime(new Date(s.objections.directMarketingSince), lang),
        }),
      );
    if (s.objections.purposes.length)
      out.push(
        this.view.t(lang, 'person.objectedPurposes', {
          purposes: s.objections.purposes.map((p) => names.get(p) ?? p).join(', '),
        }),
      );
    return out;
  }
}

/** A select's options, none chosen unless the form came back with one (nothing decided for staff by default). */
function options(
  values: readonly string[],
  label: (v: string) => string,
  state: SubjectPageState | null,
  form: SubjectForm,
  field: string,
) {
  return values.map((value) => ({
    value,
    label: label(value),
    selected: state?.form === form && state.values[field] === value,
  }));
}
