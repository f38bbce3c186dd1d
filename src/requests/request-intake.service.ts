import { FIRST_SUPPORTED_YEAR } from './polish-holidays';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { CLOCK_SKEW_MS } from '../common/clock/skew';
import { FieldError, ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { SubjectLookupService } from '../subjects';
import { SubjectRightsService } from '../subjects';
import { TaskPlanner } from './fulfilment/task-planner.service';
import { isDirectMarketingObjection, namedPurposes, RECTIFIABLE_FIELDS } from './fulfilment/zgoda-executor';
import { computeDueAt } from './legal-clock';
import { RequestNotices } from './request-notices.service';
import { RequestTokens } from './request-tokens.service';
import { RequestTransitions } from './request-transitions.service';
import { RequestDetails, RequestVault } from './request-vault.service';
import { DsrRequest } from './request.entity';
import type { Locale, RequestSource, RequestType } from './request.types';
import { CreateRequestDto } from './requests.dto';
import { RequestsRepository } from './requests.repository';

export { CLOCK_SKEW_MS } from '../common/clock/skew';
const MINUTE = 60_000;

export interface NewRequest {
  type: RequestType;
  source: RequestSource;
  subjectId: string | null;
  receivedAt: Date;
  locale: Locale;
  contact: string | null;
  details: RequestDetails | null;
  /** The erasure whose held data this request erases (Art. 17(3), the hold has ended). */
  follows?: string;
}

export type RequestDetailInput = Pick<CreateRequestDto, 'type' | 'details' | 'changes' | 'purposes'>;

/** Creating requests, for staff and client systems (POST /v1/requests) and the other intakes. */
@Injectable()
export class RequestIntake {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly subjects: SubjectLookupService,
    private readonly subjectRights: SubjectRightsService,
    private readonly transitions: RequestTransitions,
    private readonly planner: TaskPlanner,
    private readonly tokens: RequestTokens,
    private readonly notices: RequestNotices,
    private readonly vault: RequestVault,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  /**
   * Staff intake. A second open request of the same subject and type is not created: the first one is
   * answered (200, `duplicate: true`), since the subject gets one answer within one deadline anyway.
   */
  async create(dto: CreateRequestDto): Promise<{ request: DsrRequest; duplicate: boolean }> {
    const details = this.validate(dto);
    const receivedAt = this.receivedAt(dto.receivedAt);
    const subjectId = await this.resolveSubject(dto);
    const contact = await this.subjects.getContact(subjectId);
    const input: NewRequest = {
      type: dto.type,
      source: 'api',
      subjectId,
      receivedAt,
      locale: dto.locale ?? contact?.locale ?? 'pl',
      contact: contact?.email ?? null,
      details,
    };
    const plan = dto.verified ? await this.planner.prepare({ type: dto.type, subjectId }, details) : null;
    return this.dataSource.transaction(async (m) => {
      // Serialises intakes for one subject and type so two concurrent calls cannot both be "first".
      await this.repo.advisoryLock(m, `request:${subjectId}:${dto.type}`);
      const existing = await this.repo.findOpenFor(m, subjectId, dto.type);
      if (existing) return { request: existing, duplicate: true };
      const request = await this.insert(m, input);
      if (dto.verified) {
        await this.transitions.apply(m, request, 'verified', { data: { by: 'staff' } });
        await this.notices.received(m, request);
        await this.planner.start(m, request, plan!);
      } else {
        await this.askForVerification(m, request);
      }
      return { request, duplicate: false };
    });
  }

  /** Inserts the request as `received`, audited, with the Art. 21(3) objection applied at once. */
  async insert(m: EntityManager, input: NewRequest): Promise<DsrRequest> {
    const id = randomUUID();
    const request = {
      id,
      type: input.type,
      status: 'received',
      resolution: null,
      resolutionCode: null,
      resolutionReasonSealed: null,
      source: input.source,
      subjectId: input.subjectId,
      locale: input.locale,
      contactSealed: input.contact ? this.vault.sealText(id, 'contact', input.contact) : null,
      detailsSealed: input.details ? this.vault.sealJson(id, 'details', input.details) : null,
      receivedAt: input.receivedAt,
      verifiedAt: null,
      dueAt: computeDueAt(input.receivedAt),
      extensionMonths: 0,
      extendedDueAt: null,
      extendedAt: null,
      extensionReasonSealed: null,
      extensionToldBy: null,
      extensionToldAt: null,
      recipients: [],
      assessmentOutcome: null,
      assessedAt: null,
      assessmentReasonsSealed: null,
      assessmentToldBy: null,
      assessmentToldAt: null,
      completedAt: null,
      duplicateOf: null,
      follows: input.follows ?? null,
      deadlineState: 'ok',
      retries: 0,
      certificate: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    } satisfies DsrRequest;
    await this.repo.insert(m, request);
    await this.audit.append(m, {
      action: 'request.received',
      targetType: 'request',
      targetId: id,
      subjectId: input.subjectId,
      data: {
        type: input.type,
        source: input.source,
        receivedAt: input.receivedAt.toISOString(),
        ...(input.follows ? { follows: input.follows } : {}),
      },
    });
    // Art. 21(3): an objection to direct marketing takes effect at once, with no verification or
    // balancing: it can only stop messages, so acting on a false one harms nobody. Art. 21(1) with
    // Art. 18(1)(d): processing for the named purposes is stopped at once too, while the objection is
    // assessed; it resumes only if compelling grounds are recorded.
    if (input.type === 'objection' && input.subjectId) {
      if (isDirectMarketingObjection(input.details))
        await this.subjectRights.setObjection(m, input.subjectId, 'direct_marketing');
      const purposes = namedPurposes(input.details);
      if (purposes.length) await this.subjectRights.setObjection(m, input.subjectId, purposes);
    }
    return request;
  }

  /** Recital 64: a one-time link to contact data already held. Without an e-mail, staff verify. */
  async askForVerification(m: EntityManager, request: DsrRequest): Promise<string> {
    await this.transitions.apply(m, request, 'awaiting_verification');
    const { token } = await this.tokens.issue(
      m,
      request.id,
      'verify',
      this.env.REQUEST_VERIFICATION_TTL_MINUTES * MINUTE,
    );
    await this.notices.verification(m, request, token);
    return token;
  }

  receivedAt(raw: string | undefined): Date {
    if (!raw) return new Date();
    const at = new Date(raw);
    if (at.getTime() > Date.now() + CLOCK_SKEW_MS) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'receivedAt', message: 'receivedAt may not lie in the future' }],
      });
    }
    // The deadline counts Polish working days; the holiday calendar starts in 2011 (Epiphany a holiday again).
    if (at.getUTCFullYear() < FIRST_SUPPORTED_YEAR) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'receivedAt', message: `receivedAt may not be before ${FIRST_SUPPORTED_YEAR}-01-01` }],
      });
    }
    return at;
  }

  private async resolveSubject(dto: CreateRequestDto): Promise<string> {
    let id: string | null = null;
    if (dto.subjectId) id = await this.subjects.resolveId(dto.subjectId);
    else if (dto.identity?.email) id = await this.subjects.findIdByIdentifier('email', dto.identity.email);
    else if (dto.identity?.phone) id = await this.subjects.findIdByIdentifier('phone', dto.identity.phone);
    else if (dto.identity?.externalId)
      id = await this.subjects.findIdByIdentifier('external_id', dto.identity.externalId);
    if (!id) throw new ProblemError('unknown_subject', 'No subject matches; create the subject first.');
    return id;
  }

  private validate(dto: CreateRequestDto): RequestDetails | null {
    const errors: FieldError[] = [];
    const given = [dto.identity?.email, dto.identity?.phone, dto.identity?.externalId].filter((v) => v !== undefined);
    if (!!dto.subjectId === !!dto.identity) errors.push({ field: 'subjectId', message: 'give subjectId or identity' });
    if (dto.identity && given.length !== 1) {
      errors.push({ field: 'identity', message: 'identity needs exactly one of email, phone, externalId' });
    }
    errors.push(...this.detailErrors(dto, { changesOrDetails: false }));
    if (errors.length) throw new ProblemError('validation_failed', 'The request is not valid.', { errors });
    return this.detailsOf(dto);
  }

  /**
   * Checks what a request carries besides its type: `changes` only for rectification (fields Zgoda can
   * correct), `purposes` only for objections. The portal may describe a correction in words instead.
   */
  detailErrors(dto: RequestDetailInput, opts: { changesOrDetails: boolean }): FieldError[] {
    const errors: FieldError[] = [];
    if (dto.changes !== undefined && dto.type !== 'rectification') {
      errors.push({ field: 'changes', message: 'changes are for rectification requests' });
    }
    if (dto.type === 'rectification') {
      const entries = Object.entries(dto.changes ?? {});
      if (!entries.length && !(opts.changesOrDetails && dto.details)) {
        errors.push({ field: 'changes', message: 'a rectification needs changes' });
      }
      for (const [field, value] of entries) {
        if (!RECTIFIABLE_FIELDS.includes(field))
          errors.push({ field: `changes.${field}`, message: `${field} cannot be rectified here` });
        else if (value !== null && (typeof value !== 'string' || value.length > 500)) {
          errors.push({ field: `changes.${field}`, message: `${field} must be a string (at most 500) or null` });
        }
      }
    }
    if (dto.purposes !== undefined && dto.type !== 'objection') {
      errors.push({ field: 'purposes', message: 'purposes are for objections' });
    }
    return errors;
  }

  detailsOf(dto: RequestDetailInput): RequestDetails | null {
    const details: RequestDetails = {
      ...(dto.details ? { details: dto.details } : {}),
      ...(dto.changes ? { changes: dto.changes } : {}),
      ...(dto.purposes ? { purposes: dto.purposes } : {}),
    };
    return Object.keys(details).length ? details : null;
  }
}
