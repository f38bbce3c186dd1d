import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { ConsentLinksService, ConsentQueryService } from '../consent';
import { consentRequired } from '../consent';
import { ConsentDecision, Channel, SourceMethod } from '../consent';
import { ConsentsService } from '../consent';
import { PublicConsentService } from '../consent';
import { PurposesService } from '../consent';
import { TextsService } from '../consent';
import type { PageLang } from '../rendering';

export interface PreferenceRow {
  purpose: string;
  channel: string;
  status: string;
  grantedAt: string | null;
  /** The text of the version agreed to (granted or pending), else null. */
  agreed: { version: number; title: string; body: string } | null;
  /** What granting now would agree to: the current published version, as shown. */
  offered: { version: number; locale: string; title: string; body: string } | null;
  canWithdraw: boolean;
  canGrant: boolean;
  /** The last decision's signed receipt, downloadable from the page (null: no decision yet). */
  consentId: string | null;
}

export interface PreferenceGroup {
  key: string;
  name: string;
  description: string | null;
  consentBased: boolean;
  legalBasis: string;
  rows: PreferenceRow[];
}

export type PreferenceOutcome = 'withdrawn' | 'granted' | 'pending' | 'all' | 'nothing';

const FORM_ID = 'zgoda-preference-centre';

/**
 * The preference centre behind the signed link in marketing messages: the consent module's services do
 * the work (withdrawal through the one-click path, grants through the recording path with the version
 * shown as evidence), this only arranges them for a page.
 */
@Injectable()
export class PreferenceCentre {
  constructor(
    private readonly publicConsent: PublicConsentService,
    private readonly consents: ConsentsService,
    private readonly links: ConsentLinksService,
    private readonly purposes: PurposesService,
    private readonly texts: TextsService,
    private readonly query: ConsentQueryService,
  ) {}

  async view(token: string, lang: PageLang): Promise<PreferenceGroup[]> {
    const { items } = await this.publicConsent.preferences(token);
    const groups = new Map<string, PreferenceGroup>();
    const purposes = new Map<string, Awaited<ReturnType<PurposesService['get']>>>();
    for (const item of items) {
      let p = purposes.get(item.purpose);
      if (!p) purposes.set(item.purpose, (p = await this.purposes.get(item.purpose)));
      let g = groups.get(item.purpose);
      if (!g) {
        g = {
          key: p.key,
          name: item.purposeName,
          description: p.description,
          legalBasis: p.legalBasis,
          consentBased: p.channels.some((c) => consentRequired(p, c)),
          rows: [],
        };
        groups.set(item.purpose, g);
      }
      const needsConsent = consentRequired(p, item.channel as Channel);
      if (!needsConsent) continue;
      const held = item.status === 'granted' || item.status === 'pending';
      const offered = p.currentVersion !== null ? await this.text(p.key, p.currentVersion, lang) : null;
      g.rows.push({
        purpose: item.purpose,
        channel: item.channel,
        status: item.status,
        grantedAt: held ? item.grantedAt : null,
        agreed: held && item.version !== null ? await this.text(p.key, item.version, lang) : null,
        offered,
        canWithdraw: held,
        canGrant: !held && offered !== null && p.channels.includes(item.channel as Channel),
        consentId: item.consentId ?? null,
      });
    }
    return [...groups.values()];
  }

  /** The receipt of one of the token holder's decisions (Art. 7(1): the person can prove what they agreed to). */
  async receipt(token: string, consentId: string) {
    const { subjectId } = await this.publicConsent.preferences(token);
    return this.query.receipt(subjectId, consentId);
  }

  /** Art. 7(3): withdrawing is as easy as granting, and exactly the purpose and channel chosen. */
  async withdraw(token: string, purposeKey: string, channel: string): Promise<PreferenceOutcome> {
    const subjectId = this.links.readPreferences(token);
    const r = await this.publicConsent.unsubscribe(
      this.links.unsubscribeToken({ subjectId, purposeKey, channel }),
      'preference-centre',
    );
    return r.outcome === 'withdrawn' ? 'withdrawn' : 'nothing';
  }

  async withdrawAll(token: string): Promise<PreferenceOutcome> {
    const { items } = await this.publicConsent.preferences(token);
    let changed = 0;
    for (const item of items) {
      if (!item.unsubscribeToken) continue;
      const r = await this.publicConsent.unsubscribe(item.unsubscribeToken, 'preference-centre');
      if (r.outcome === 'withdrawn') changed++;
    }
    return changed ? 'all' : 'nothing';
  }

  /**
   * Art. 7(1): the grant records the version and language of the text the page showed (sent back by the
   * form), so the proof names what the person read, even if a newer version was published meanwhile.
   */
  async grant(
    token: string,
    input: { purpose: string; channel: string; version: number; locale: string },
    gpc: boolean,
  ): Promise<PreferenceOutcome> {
    const subjectId = this.links.readPreferences(token);
    const event = await this.consents.recordForSubject(
      subjectId,
      {
        purpose: input.purpose,
        channel: input.channel as Channel,
        version: input.version,
        locale: input.locale,
        decision: ConsentDecision.Granted,
        source: { method: SourceMethod.Web, location: 'preference-centre' },
        evidence: { formId: FORM_ID, pageUrl: '/portal/preferences' },
      },
      gpc,
    );
    if (event.decision !== 'granted') return 'nothing';
    return event.pending ? 'pending' : 'granted';
  }

  private async text(key: string, version: number, lang: PageLang) {
    try {
      const rows = await this.texts.getVersion(key, version);
      const t = rows.find((r) => r.locale.startsWith(lang)) ?? rows.find((r) => r.locale.startsWith('pl')) ?? rows[0];
      if (!t?.publishedAt) return null;
      return { version: t.version, locale: t.locale, title: t.title, body: t.rendered ?? t.body };
    } catch (e) {
      if (e instanceof ProblemError && e.code === 'text_not_found') return null;
      throw e;
    }
  }
}
