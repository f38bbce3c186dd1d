import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Env } from '../../config/env';
import { ConsentQueryService, PurposesService } from '../../consent';
import { SubjectLookupService } from '../../subjects';
import { JobHandler } from '../../jobs';
import type { JobPayloads } from '../../jobs';
import { SystemsService } from '../../systems';
import { RetainedItem, RequestNotices } from '../request-notices.service';
import { RequestTask } from '../request-task.entity';
import { RequestTokens } from '../request-tokens.service';
import { RequestTransitions } from '../request-transitions.service';
import { RequestVault } from '../request-vault.service';
import { DsrRequest } from '../request.entity';
import { REASON_CODES } from '../request.types';
import { RequestsRepository } from '../requests.repository';
import { buildPackage, PackageInput } from './access-package';
import { certificatePayload, erasureOutcome, signCertificate, systemOutcome } from './erasure-certificate';
import { RetentionTerms } from './retention-terms';
import { SigningKeys } from './signing-keys.service';

const IN_WORK = ['in_progress', 'awaiting_recipients'];
const DAY = 24 * 3600 * 1000;
const settledOk = (tasks: RequestTask[]) =>
  tasks.length > 0 && tasks.every((t) => t.status === 'done' || t.status === 'retained');

/**
 * Job `requests.finalise`: every task is done or retained, so the answer is built (the access package,
 * the erasure certificate), stored, the request completed and the subject told, in one transaction.
 * Built before the transaction and checked again inside it: a second delivery finds the request completed.
 */
@Injectable()
export class Finaliser {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly transitions: RequestTransitions,
    private readonly notices: RequestNotices,
    private readonly tokens: RequestTokens,
    private readonly vault: RequestVault,
    private readonly keys: SigningKeys,
    private readonly systems: SystemsService,
    private readonly purposes: PurposesService,
    private readonly env: Env,
    private readonly subjects: SubjectLookupService,
    private readonly consent: ConsentQueryService,
    private readonly retention: RetentionTerms,
  ) {}

  @JobHandler('requests.finalise')
  async finalise(payload: JobPayloads['requests.finalise']): Promise<{ outcome: string }> {
    const r = await this.repo.find(payload.requestId);
    if (!r || !IN_WORK.includes(r.status)) return { outcome: 'nothing_to_do' };
    const tasks = await this.repo.tasksOf(r.id);
    if (!settledOk(tasks)) return { outcome: 'not_ready' };
    const now = new Date();
    const resolution = tasks.some((t) => t.status === 'retained') ? 'partially_fulfilled' : 'fulfilled';
    // Issue 13 item 1: a request that matched nobody is fulfilled with "no data found", never as done work.
    const code = erasureOutcome(tasks.map(systemOutcome)) === 'no_data_found' ? REASON_CODES.noDataFound : undefined;
    const zip =
      r.type === 'access' || r.type === 'portability'
        ? await buildPackage(await this.packageInput(r, tasks, now))
        : null;
    const certificate = r.type === 'erasure' ? await this.certificate(r, tasks, now, resolution) : null;

    let outcome = 'nothing_to_do';
    await this.dataSource.transaction(async (m) => {
      const locked = await this.repo.lock(m, r.id);
      if (!locked || !IN_WORK.includes(locked.status) || !settledOk(await this.repo.tasksOf(r.id, m))) return;
      let link: { resultUrl?: string; resultExpiresAt?: Date } = {};
      if (zip) {
        await this.repo.insertResult(m, {
          requestId: r.id,
          contentType: 'application/zip',
          fileName: `zgoda-${r.type}-${r.id}.zip`,
          contentSealed: this.vault.sealBinary(r.id, 'result', zip),
          sha256: createHash('sha256').update(zip).digest('hex'),
          size: zip.length,
          createdAt: now,
        });
        if (locked.contactSealed) {
          const { token, expiresAt } = await this.tokens.issue(
            m,
            r.id,
            'download',
            this.env.REQUEST_DOWNLOAD_TTL_DAYS * DAY,
          );
          link = {
            resultUrl: `${this.notices.baseUrl()}/public/requests/${r.id}/result?token=${token}`,
            resultExpiresAt: expiresAt,
          };
        }
      }
      const retained: RetainedItem[] = tasks
        .filter((t) => t.status === 'retained')
        .map((t) => ({ system: t.systemKey, reason: t.retainedReason, until: t.retainedUntil }));
      await this.notices.completed(m, locked, { ...link, retained });
      await this.transitions.apply(m, locked, 'completed', {
        resolution,
        code,
        patch: { completedAt: now, certificate },
        data: { result: !!zip, certificate: !!certificate },
      });
      outcome = resolution;
    });
    return { outcome };
  }

  private async packageInput(r: DsrRequest, tasks: RequestTask[], now: Date): Promise<PackageInput> {
    const systems = new Map((await this.systems.list(undefined, 10_000)).map((s) => [s.key, s]));
    const purposes = await this.purposes.list(undefined, 10_000);
    // A purpose's data: its own categories and those of the systems processing for it.
    const scopes = purposes.map((p) => ({
      key: p.key,
      categories: [
        ...new Set([
          ...p.dataCategories,
          ...[...systems.values()].filter((s) => s.purposes.includes(p.key)).flatMap((s) => s.dataCategories),
        ]),
      ],
    }));
    const retention = await this.retention.of(scopes, r.locale);
    return {
      kind: r.type === 'portability' ? 'portability' : 'access',
      locale: r.locale,
      exportedAt: now,
      controller: { name: this.env.CONTROLLER_NAME, dpoName: this.env.DPO_NAME, dpoEmail: this.env.DPO_EMAIL },
      request: { id: r.id, receivedAt: r.receivedAt },
      subjectId: r.subjectId,
      systems: tasks.map((t) => {
        const s = systems.get(t.systemKey);
        return {
          key: t.systemKey,
          name: s?.name ?? t.systemKey,
          status: t.status,
          retainedReason: t.retainedReason,
          retainedUntil: t.retainedUntil,
          data: this.vault.openTask<Record<string, unknown>>(t.id, 'result', t.resultSealed),
          dataCategories: s?.dataCategories ?? [],
          purposes: s?.purposes ?? [],
          found: t.found,
          processor: s?.processorName
            ? { name: s.processorName, country: s.processorCountry, safeguards: s.transferSafeguards }
            : null,
        };
      }),
      purposes: purposes.map((p) => ({
        key: p.key,
        name: p.name,
        description: p.description,
        legalBasis: p.legalBasis,
        dataCategories: p.dataCategories,
        recipients: p.recipients,
        processors: p.processors,
        transfers: p.transfers,
        retention: retention.get(p.key) ?? [],
        automatedDecisions: p.automatedDecisions,
      })),
    };
  }

  private async certificate(r: DsrRequest, tasks: RequestTask[], now: Date, resolution: string): Promise<string> {
    const residue = r.subjectId ? await this.subjects.residueOf(r.subjectId) : null;
    const payload = certificatePayload({
      issuer: this.notices.baseUrl(),
      controller: this.env.CONTROLLER_NAME,
      requestId: r.id,
      subjectId: r.subjectId,
      receivedAt: r.receivedAt,
      completedAt: now,
      resolution,
      residue: residue
        ? {
            checkedAt: new Date(),
            dataKey: residue.dataKey,
            identifiers: residue.identifiers,
            encryptedFields: residue.encryptedFields,
            holdReasons: residue.holdReasons,
            consentEvidence: await this.consent.evidenceLeft(residue.subjectId),
            suppressedIdentifiers: residue.suppressedIdentifiers,
          }
        : null,
      systems: tasks.map((t) => ({
        key: t.systemKey,
        kind: t.systemKind,
        status: t.status,
        found: t.found,
        completedAt: t.completedAt,
        retainedReason: t.retainedReason,
        retainedUntil: t.retainedUntil,
        categories: t.categories,
        retainedCategories: t.retainedCategories,
      })),
      follows: r.follows,
    });
    return signCertificate(payload, await this.keys.active('certificate'));
  }
}
