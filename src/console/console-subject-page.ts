import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from '../audit';
import { Env } from '../config/env';
import { Channel, channelLabel, ConsentQueryService, PurposesService } from '../consent';
import { formatDateTime } from '../rendering';
import { ListRequestsQuery, REQUEST_TYPES, RequestsService } from '../requests';
import { HOLD_BASES, RESTRICTION_GROUNDS, SubjectLookupService } from '../subjects';
import type { SubjectResponse } from '../subjects';
import type { PageLang } from '../rendering';
import { choices, FieldErrors, formModel, toldByChoices } from './console-forms';
import { Form, requestRow, typeLabel } from './console-pages';
import { ConsoleNames } from './console-names';
import { ConsoleView, may } from './console-view';

const CHANNELS: string[] = Object.values(Channel);
export const HOLD_FIELDS = ['reason', 'legalBasis', 'categories', 'until'] as const;
export const RESTRICT_FIELDS = ['reason'] as const;
export const LIFT_FIELDS = ['toldBy', 'toldAt'] as const;
export const REQUEST_FIELDS = ['type', 'receivedAt', 'details'] as const;
export const RECORD_FIELDS = [
  'purpose',
  'channel',
  'locale',
  'decision',
  'method',
  'expressedBy',
  'guardianName',
  'guardianRelation',
  'location',
] as const;

// What one page shows at most: a person's requests, and the purposes to name consents by.
const REQUESTS_SHOWN = 100;
const PURPOSES_SHOWN = 200;
const TRAIL_SHOWN = 50;

export type SubjectForm = 'hold' | 'restrict' | 'lift' | 'request' | 'record';

/** A form of the person's page sent back with its errors and the values typed. */
export interface SubjectPageState {
  form: SubjectForm;
  values: Form;
  errors: FieldErrors;
}

/**
 * The person's page: identifiers, consents per purpose and channel in words, requests, holds, restriction and
 * objection, with the actions staff take for the person. The subject is read through the same service as the API's
 * read, so the view is audited the same way (`subject.viewed`, the staff member as actor, `via: console`).
 */
@Injectable()
export class ConsoleSubjectPage {
  constructor(
    private readonly view: ConsoleView,
    private readonly subjects: SubjectLookupService,
    private readonly consentQuery: ConsentQueryService,
    private readonly requests: RequestsService,
    private readonly purposes: PurposesService,
    private readonly audit: AuditService,
    private readonly names: ConsoleNames,
    private readonly env: Env,
  ) {}

  async render(req: FastifyRequest, reply: FastifyReply, id: string, state: SubjectPageState | null, status = 200) {
    const lang = this.view.lang(req, reply);
    const seesIdentity = may(req, 'subjects:read');
    const [identity, consents, requests, purposes, trail] = await Promise.all([
      seesIdentity ? this.subjects.view(id, 'console') : null,
      may(req, 'consent:read') ? this.consentQuery.resolve(id).then((s) => this.consentQuery.states(s)) : null,
      may(req, 'requests:read')
        ? this.requests
            .list({ subjectId: id, limit: REQUESTS_SHOWN } as ListRequestsQuery)
            .then((rows) => this.requests.views(rows.slice(0, REQUESTS_SHOWN)))
        : null,
      this.purposes.list(undefined, PURPOSES_SHOWN),
      // Who did what about this person, newest first: with audit:read only (a section, not the page).
      may(req, 'audit:read')
        ? this.audit.list({ subjectId: id, limit: TRAIL_SHOWN }).then((rows) => this.names.auditEntries(rows, lang))
        : null,
    ]);
    const names = new Map(purposes.map((p) => [p.key, p.name]));
    const t = (key: string, vars: Record<string, unknown> = {}) => this.view.t(lang, key, vars);
    const at = (iso: string) => formatDateTime(new Date(iso), lang);
    // The form that came back refused, if it is this one: its values and errors are shown again.
    const back = (name: SubjectForm) => (state?.form === name ? state : null);
    const form = (name: SubjectForm, fields: readonly string[]) => formModel(fields, back(name));
    const picked = (name: SubjectForm, field: string) => back(name)?.values[field];
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
          ? consents.map((c) => ({
              purposeName: names.get(c.purpose) ?? c.purpose,
              channelLabel: channelLabel(c.channel, lang),
              statusLabel: t(`consentStatus.${c.status}`),
              version: c.version ?? null,
              grantedAt: c.grantedAt ?? null,
              proofHref: c.consentId ? `/console/subjects/${id}/consents/${c.consentId}` : null,
              proofLabel: t('subject.proofLink', { purpose: names.get(c.purpose) ?? c.purpose, channel: c.channel }),
            }))
          : null,
        requests: requests ? requests.map((r) => requestRow(this.view, this.env, r, lang)) : null,
        trail,
        record: may(req, 'consent:write')
          ? {
              ...form('record', RECORD_FIELDS),
              purposes: choices(
                purposes.filter((p) => p.currentVersion).map((p) => p.key),
                (k) => names.get(k) ?? k,
                picked('record', 'purpose'),
              ),
              channels: choices(CHANNELS, (c) => channelLabel(c, lang), picked('record', 'channel')),
              locales: choices(
                ['pl', 'en'],
                (l) => t(`subject.locale${l === 'pl' ? 'Pl' : 'En'}`),
                picked('record', 'locale'),
              ),
              methods: choices(
                ['store', 'phone', 'email'],
                (m) => t(`subject.method${m[0].toUpperCase()}${m.slice(1)}`),
                picked('record', 'method'),
              ),
              decisions: choices(
                ['granted', 'refused', 'withdrawn'],
                (d) => t(`subject.${d}`),
                picked('record', 'decision'),
              ),
              expressedBy: choices(
                ['subject', 'guardian', 'staff'],
                (w) => t(`subject.by${w[0].toUpperCase()}${w.slice(1)}`),
                picked('record', 'expressedBy'),
              ),
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
          bases: choices(HOLD_BASES, (b) => t(`holdBasis.${b}`), picked('hold', 'legalBasis')),
        },
        restrict: {
          ...form('restrict', RESTRICT_FIELDS),
          grounds: choices(RESTRICTION_GROUNDS, (g) => t(`restrictionGround.${g}`), picked('restrict', 'reason')),
        },
        lift: {
          ...form('lift', LIFT_FIELDS),
          toldBy: toldByChoices(this.view, lang, picked('lift', 'toldBy')),
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

  private objection(s: SubjectResponse, names: Map<string, string>, lang: PageLang): string[] {
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
