import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { PurposesService } from '../consent';
import { NotificationsService } from '../notifications';
import { SubjectLookupService, SubjectRightsService } from '../subjects';
import { namedPurposes } from './fulfilment/zgoda-executor';
import { RequestVault } from './request-vault.service';
import { DsrRequest } from './request.entity';
import type { ObjectionOutcome } from './request.types';
import { AssessObjectionDto } from './requests.dto';
import { RequestsRepository } from './requests.repository';
import { toldOffline } from './told';

/**
 * Art. 21(1): an objection to named purposes stops them at intake (with Art. 18(1)(d) while it is assessed);
 * the controller then records its assessment. `upheld`: the purposes stay stopped. `compelling_grounds`: the
 * controller demonstrated compelling legitimate grounds, so processing for them resumes. Either way the
 * subject is told, with the reasons and the right to complain to UODO, in the same transaction.
 */
@Injectable()
export class ObjectionAssessments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly vault: RequestVault,
    private readonly subjects: SubjectLookupService,
    private readonly rights: SubjectRightsService,
    private readonly purposes: PurposesService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async assess(id: string, dto: AssessObjectionDto): Promise<DsrRequest> {
    // Reads that need no lock happen first, so the transaction below holds one pool connection only.
    const peek = await this.repo.find(id);
    if (!peek) throw new ProblemError('unknown_request', 'No request with this id.');
    const details = this.vault.openJson<{ purposes?: string[] }>(peek.id, 'details', peek.detailsSealed);
    const purposes = peek.type === 'objection' ? namedPurposes(details) : [];
    const contact = peek.subjectId ? await this.subjects.getContact(peek.subjectId) : null;
    const names = await Promise.all(
      purposes.map(async (key) => {
        // A purpose removed since the objection is named by its key; any other failure fails the call.
        const p = await this.purposes.get(key).catch((e: unknown) => {
          if (e instanceof ProblemError && e.code === 'purpose_not_found') return null;
          throw e;
        });
        return p?.name ?? key;
      }),
    );
    return this.dataSource.transaction(async (m) => {
      const r = await this.repo.lock(m, id);
      if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
      if (!purposes.length || !r.subjectId) {
        throw new ProblemError('invalid_transition', 'Only an objection to named purposes is assessed.', {
          currentStatus: r.status,
        });
      }
      if (r.assessmentOutcome) {
        throw new ProblemError('invalid_transition', 'This objection has already been assessed.', {
          currentStatus: r.status,
        });
      }
      // The objection must have reached the systems first: it is what the assessment decides about.
      if (r.status !== 'completed') {
        throw new ProblemError('invalid_transition', 'The objection is assessed once it has been carried out.', {
          currentStatus: r.status,
        });
      }
      const outcome: ObjectionOutcome = dto.outcome;
      if (outcome === 'compelling_grounds') await this.rights.overruleObjection(m, r.subjectId, purposes, r.id);
      const told = contact?.email
        ? { by: 'email' as const, at: new Date() }
        : toldOffline(dto.toldBy, dto.toldAt, r.receivedAt);
      let noticeId: string | null = null;
      if (told.by === 'email') {
        // By subject id: the request's own contact is wiped when it ends (LEGAL item 21).
        noticeId = await this.notifications.queueEmail(m, {
          subjectId: r.subjectId,
          template: 'objection-assessed',
          locale: r.locale,
          model: { reference: r.id, upheld: outcome === 'upheld', purposes: names, reasons: dto.reasons },
        });
      }
      const patch: Partial<DsrRequest> = {
        assessmentOutcome: outcome,
        assessedAt: new Date(),
        assessmentReasonsSealed: this.vault.sealText(r.id, 'assessment_reasons', dto.reasons),
        assessmentToldBy: told.by,
        assessmentToldAt: told.at,
      };
      await this.repo.update(m, r.id, patch);
      await this.audit.append(m, {
        action: 'request.objection_assessed',
        targetType: 'request',
        targetId: r.id,
        subjectId: r.subjectId,
        data: { outcome, purposes, noticeId, toldBy: told.by },
      });
      return Object.assign(r, patch);
    });
  }
}
