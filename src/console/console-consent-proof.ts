import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { channelLabel, ConsentQueryService, PurposesService } from '../consent';
import { messageOr } from '../rendering';
import { ConsoleNames } from './console-names';
import { ConsoleView } from './console-view';

/**
 * One decision's proof as staff read it (issue 15 item 1): what the person agreed to, in the exact text and version
 * shown, when, how and by whom it was given or recorded, whether the stored text and evidence still match their
 * hashes, the signed receipt and the audit entries. Read through the same service as the API's proof, so reading the
 * evidence is audited the same way.
 */
@Injectable()
export class ConsoleConsentProof {
  constructor(
    private readonly view: ConsoleView,
    private readonly query: ConsentQueryService,
    private readonly purposes: PurposesService,
    private readonly names: ConsoleNames,
  ) {}

  async render(req: FastifyRequest, reply: FastifyReply, id: string, consentId: string): Promise<string> {
    const lang = this.view.lang(req, reply);
    const t = (key: string, vars: Record<string, unknown> = {}) => this.view.t(lang, key, vars);
    const proof = await this.query.viewProof(id, consentId);
    const e = proof.event;
    const purpose = await this.purposes.get(e.purpose);
    const yesNo = (v: boolean | null) => (v === null ? null : t(v ? 'proof.matches' : 'proof.differs'));
    const title = t('proof.title', { purpose: purpose.name });
    return this.view.render(
      req,
      reply,
      'consent-proof',
      {
        title,
        subjectHref: `/console/subjects/${id}`,
        json: `/v1/subjects/${id}/consents/${consentId}/proof`,
        facts: [
          [t('subject.purpose'), purpose.name],
          [t('subject.channel'), channelLabel(e.channel, lang)],
          [t('subject.decision'), t(`consentStatus.${e.decision}`)],
          [t('proof.occurredAt'), null, e.occurredAt],
          [t('proof.recordedAt'), null, e.recordedAt],
          [t('proof.expiresAt'), e.expiresAt ? null : t('proof.noExpiry'), e.expiresAt],
          [t('subject.method'), messageOr(lang, `accessReport.value.sourceMethod.${e.source.method}`, e.source.method)],
          [t('subject.location'), e.source.location ?? '–'],
          [t('subject.expressedBy'), e.expressedBy ? t(`subject.by${capital(e.expressedBy)}`) : '–'],
          [t('proof.staff'), (await this.names.nameOf(e.source.staffId && `staff:${e.source.staffId}`, lang)) ?? '–'],
          [t('proof.gpc'), t(e.gpc ? 'proof.yes' : 'proof.no')],
          [t('proof.textHash'), yesNo(proof.textHashMatches)],
          [t('proof.evidenceHash'), yesNo(proof.evidenceHashMatches) ?? t('proof.noEvidence')],
        ].map(([label, value, at]) => ({ label, value: value ?? null, at: at ?? null })),
        text: proof.text
          ? {
              title: proof.text.title,
              version: proof.text.version,
              locale: t(`subject.locale${capital(proof.text.locale)}`),
              rendered: proof.text.rendered,
            }
          : null,
        evidence: proof.evidence
          ? Object.entries(proof.evidence).map(([key, value]) => ({
              key,
              value: typeof value === 'string' ? value : JSON.stringify(value),
            }))
          : null,
        confirmations: proof.confirmations.map((c) => c.occurredAt),
        receipt: proof.receipt,
        audit: await this.names.auditEntries(
          proof.audit.map((a) => ({
            seq: a.seq,
            occurredAt: new Date(a.occurredAt),
            actorType: a.actor.type,
            actorId: a.actor.id,
            action: a.action,
            targetType: 'consent',
            targetId: a.targetId,
          })),
          lang,
        ),
      },
      { lang, title },
    );
  }
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);
