import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditService } from '../audit';
import { SubjectAliases } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import { SubjectLookupService } from '../subjects';
import { applyEvent, listedStatus, StateFacts } from './consent-rules';
import { ConsentDecision } from './consent.types';
import { historyView, iso } from './consent-views';
import { stateFacts } from './consent-writer.service';
import { ConsentRepository } from './consent.repository';
import { PurposesRepository } from './purposes.repository';
import type { ProofResponse } from './consent-records.responses';
import type { ConsentStateView } from './consent-api.responses';
import type { ConsentEvent } from './consent-event.entity';

export interface PurposeConsentFacts {
  valid: boolean;
  endedAt: Date | null;
}

const tripleKey = (purpose: string, channel: string) => `${purpose}\u0000${channel}`;

@Injectable()
export class ConsentQueryService {
  constructor(
    private readonly repo: ConsentRepository,
    private readonly purposes: PurposesRepository,
    private readonly subjects: SubjectLookupService,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly aliases: SubjectAliases,
  ) {}

  async resolve(id: string): Promise<string> {
    const subjectId = await this.subjects.resolveId(id);
    if (!subjectId) throw new ProblemError('unknown_subject', 'No subject with this id.');
    return subjectId;
  }

  /**
   * Per purpose and channel. With `at`, rebuilt from the append-only events with the same rule that
   * maintains the projection (LEGAL item 5); without, read from the projection.
   */
  async states(subjectId: string, at?: Date): Promise<ConsentStateView[]> {
    const states = new Map<string, StateFacts>();
    if (at) {
      for (const e of await this.repo.eventsForSubject(await this.aliases.aliasesOf(subjectId), at)) {
        const k = tripleKey(e.purposeKey, e.channel);
        const next = applyEvent(states.get(k), e);
        if (next) states.set(k, next);
      }
    } else {
      for (const s of await this.repo.statesForSubject(subjectId)) {
        states.set(tripleKey(s.purposeKey, s.channel), stateFacts(s)!);
      }
    }
    const now = at ?? new Date();
    const items: ConsentStateView[] = [];
    for (const p of await this.purposes.listAll()) {
      const channels = new Set<string>(p.channels);
      for (const k of states.keys()) if (k.startsWith(`${p.key}\u0000`)) channels.add(k.split('\u0000')[1]);
      for (const channel of [...channels].sort()) {
        const s = states.get(tripleKey(p.key, channel));
        items.push({
          purpose: p.key,
          channel,
          status: listedStatus(s, now),
          consentId: s?.eventId ?? null,
          version: s?.version ?? null,
          latestVersion: p.currentVersion,
          reconsentRequired: !!s && s.version < p.reconsentFromVersion,
          grantedAt: iso(s?.grantedAt),
          expiresAt: iso(s?.expiresAt),
        });
      }
    }
    return items;
  }

  /**
   * Retention, per subject and purpose at `at`: whether some channel holds a valid consent and, when none
   * does, when the last one ended (a withdrawal's time, an expiry). Refusals and unconfirmed grants never
   * were consents. One query for the whole batch.
   */
  async retentionFacts(subjectIds: string[], at: Date): Promise<Map<string, Map<string, PurposeConsentFacts>>> {
    const out = new Map<string, Map<string, PurposeConsentFacts>>();
    for (const r of await this.repo.retentionStates(subjectIds)) {
      let byPurpose = out.get(r.subject_id);
      if (!byPurpose) out.set(r.subject_id, (byPurpose = new Map()));
      const c = byPurpose.get(r.purpose_key) ?? { valid: false, endedAt: null };
      let ended: Date | null = null;
      if (r.status === ConsentDecision.Granted && !r.pending) {
        if (!r.expires_at || r.expires_at.getTime() > at.getTime()) c.valid = true;
        else ended = r.expires_at;
      } else if (r.status === ConsentDecision.Withdrawn) ended = r.decided_at;
      if (ended && (!c.endedAt || ended > c.endedAt)) c.endedAt = ended;
      byPurpose.set(r.purpose_key, c);
    }
    for (const byPurpose of out.values()) for (const c of byPurpose.values()) if (c.valid) c.endedAt = null;
    return out;
  }

  async history(subjectId: string) {
    return (await this.repo.eventsForSubject(await this.aliases.aliasesOf(subjectId))).map(historyView);
  }

  /**
   * Art. 15(3) (issue 13 item 9): the history with the exact text each decision was made on, as rendered when
   * it was published (its hash is the event's), and the decision's signed receipt where it has one.
   */
  async historyWithTexts(subjectId: string) {
    const events = await this.repo.eventsForSubject(await this.aliases.aliasesOf(subjectId));
    const texts = new Map<string, { title: string; rendered: string | null } | null>();
    const out = [];
    for (const e of events) {
      const key = `${e.purposeKey}\u0000${e.version}\u0000${e.locale}`;
      if (!texts.has(key)) {
        texts.set(key, await this.purposes.findText(e.purposeKey, e.version, e.locale));
      }
      const text = texts.get(key) ?? null;
      out.push({ ...historyView(e), title: text?.title ?? null, text: text?.rendered ?? null, receipt: e.receipt });
    }
    return out;
  }

  /** One recorded event (an Idempotency-Key replay of the write that recorded it). */
  async event(id: string): Promise<ConsentEvent> {
    const event = await this.repo.findEvent(id);
    if (!event) throw new ProblemError('not_found', 'No such consent event.');
    return event;
  }

  /**
   * A decision's signed receipt (Kantara v1.1, JWS) for the person it belongs to (issue 13 item 13): 404 when
   * the event is not theirs or carries none (a confirmation's receipt is the grant's).
   */
  async receipt(
    subjectId: string,
    consentId: string,
  ): Promise<{ consentId: string; receipt: string; payload: unknown }> {
    const ids = await this.aliases.aliasesOf(subjectId);
    const event = await this.repo.findEvent(consentId);
    if (!event || !ids.includes(event.subjectId) || !event.receipt) {
      throw new ProblemError('not_found', 'No receipt for this consent.');
    }
    const payload = JSON.parse(Buffer.from(event.receipt.split('.')[1], 'base64url').toString('utf8')) as unknown;
    return { consentId: event.id, receipt: event.receipt, payload };
  }

  /** Sealed consent evidence (IP, user agent) left for a subject and the records merged into it: a residue check. */
  async evidenceLeft(subjectId: string): Promise<number> {
    return this.repo.evidenceCount(await this.aliases.aliasesOf(subjectId));
  }

  /** Art. 7(1): everything needed to show what this person agreed to, when, how, and that it is unaltered. */
  /**
   * A staff member's read of one decision's proof. The evidence (IP address, user agent, form, a guardian's name) is
   * personal data, so reading it is on record (`consent.proof_viewed`), through the API or the console alike.
   */
  async viewProof(id: string, consentId: string): Promise<ProofResponse> {
    const subjectId = await this.resolve(id);
    const proof = await this.proof(subjectId, consentId);
    if (proof.evidence) {
      await this.audit.appendRead([
        {
          action: 'consent.proof_viewed',
          targetType: 'consent',
          targetId: consentId,
          subjectId,
          data: { evidence: true },
        },
      ]);
    }
    return proof;
  }

  async proof(subjectId: string, consentId: string): Promise<ProofResponse> {
    const ids = await this.aliases.aliasesOf(subjectId);
    const event = await this.repo.findEvent(consentId);
    if (!event || !ids.includes(event.subjectId))
      throw new ProblemError('not_found', 'No such consent for this subject.');
    const text = await this.purposes.findText(event.purposeKey, event.version, event.locale);
    const evidenceRow = await this.repo.findEvidence(event.id);
    let evidence: Record<string, unknown> | null = null;
    let evidenceHashMatches: boolean | null = null;
    if (evidenceRow) {
      const plain = this.crypto.open(evidenceRow.sealed, `consent_evidence:${event.id}`);
      evidence = JSON.parse(plain) as Record<string, unknown>;
      evidenceHashMatches = createHash('sha256').update(plain, 'utf8').digest('hex') === event.evidenceSha256;
    }
    const related = (await this.repo.eventsForSubject(ids)).filter((e) => e.confirmsEventId === event.id);
    const entries = [];
    for (const id of [event.id, ...related.map((e) => e.id)])
      entries.push(...(await this.audit.findForTarget('consent', id)));
    // Issue 14 item 1: an import audits once per batch; the entry of the batch holding this event's row is its record.
    if (event.importId !== null && event.importRow !== null) {
      const row = event.importRow;
      entries.push(
        ...(await this.audit.findForTarget('consent_import', event.importId)).filter((a) => {
          const rows = (a.data as { rows?: { from: number; to: number } } | null)?.rows;
          return a.action === 'consent_import.batch' && !!rows && rows.from <= row && row <= rows.to;
        }),
      );
    }
    const sealing = await this.audit.sealing(entries);
    const audit = entries.map((a) => ({
      seq: String(a.seq),
      leafHash: sealing.get(String(a.seq))!.leafHash,
      position: sealing.get(String(a.seq))!.position,
      occurredAt: a.occurredAt.toISOString(),
      actor: { type: a.actorType, id: a.actorId },
      action: a.action,
      targetId: a.targetId,
      data: a.data,
      hash: a.hash,
      prevHash: a.prevHash,
    }));
    const rendered = text?.rendered ?? null;
    return {
      event: historyView(event),
      text: text
        ? {
            version: text.version,
            locale: text.locale,
            title: text.title,
            rendered,
            publishedAt: iso(text.publishedAt),
          }
        : null,
      sha256: event.textSha256,
      textHashMatches:
        rendered !== null && createHash('sha256').update(rendered, 'utf8').digest('hex') === event.textSha256,
      evidence,
      evidenceSha256: event.evidenceSha256,
      evidenceHashMatches,
      confirmations: related.map(historyView),
      receipt: event.receipt,
      audit,
    };
  }
}
