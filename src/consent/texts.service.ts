import { Injectable } from '@nestjs/common';
import { DecisionRowsService } from './decision-rows.service';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { ConsentText } from './consent-text.entity';
import { renderConsentText, sha256Hex, templateModel, TemplateInvalidError } from './consent-template';
import { CreateTextDto } from './purposes.dto';
import { Purpose } from './purpose.entity';
import { ChangeFeedRepository } from './change-feed.repository';
import { PurposesRepository } from './purposes.repository';
import type { TextDraftResponse, TextVersionSummary } from './purposes.responses';

export interface PublishedVersion {
  version: number;
  status: 'published';
  publishedAt: Date;
  texts: { locale: string; title: string; rendered: string; sha256: string }[];
}

/** Versioned consent texts. A published version never changes (Art. 7(1)); a change is a new version. */
@Injectable()
export class TextsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesRepository,
    private readonly audit: AuditService,
    private readonly env: Env,
    private readonly changes: ChangeFeedRepository,
    private readonly decisions: DecisionRowsService,
  ) {}

  async addText(key: string, dto: CreateTextDto): Promise<{ version: number; locale: string; status: 'draft' }> {
    return this.dataSource.transaction(async (m) => {
      const purpose = await this.purposes.lockByKey(m, key);
      if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
      // Rendered now only to refuse a template that would fail at publication.
      this.render(dto.body, purpose);
      let version = dto.version;
      if (version === undefined) {
        version = (await this.purposes.maxVersion(m, key)) + 1;
      } else {
        const existing = await this.purposes.findVersion(m, key, version);
        if (!existing.length) throw new ProblemError('text_not_found', 'No draft with this version.');
        if (existing.some((t) => t.publishedAt)) throw this.published(version);
      }
      await this.purposes.upsertDraft(m, {
        purposeKey: key,
        version,
        locale: dto.locale,
        title: dto.title,
        body: dto.body,
      });
      await this.audit.append(m, {
        action: 'consent_text.drafted',
        targetType: 'purpose',
        targetId: key,
        data: { version, locale: dto.locale },
      });
      return { version, locale: dto.locale, status: 'draft' as const };
    });
  }

  async publish(key: string, version: number, requiresReconsent: boolean): Promise<PublishedVersion> {
    return this.dataSource.transaction(async (m) => {
      const purpose = await this.purposes.lockByKey(m, key);
      if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
      const rows = await this.purposes.findVersion(m, key, version);
      if (!rows.length) throw new ProblemError('text_not_found', 'No text with this version.');
      if (rows.some((t) => t.publishedAt)) throw this.published(version);
      if (purpose.currentVersion !== null && version < purpose.currentVersion) {
        throw new ProblemError('conflict', 'A newer version of this text is already published.', {
          currentVersion: purpose.currentVersion,
        });
      }
      const publishedAt = new Date();
      const texts: PublishedVersion['texts'] = [];
      for (const row of rows) {
        const rendered = this.render(row.body, purpose);
        const sha256 = sha256Hex(rendered);
        await this.purposes.publishLocale(m, row.id, { rendered, sha256, publishedAt, requiresReconsent });
        texts.push({ locale: row.locale, title: row.title, rendered, sha256 });
      }
      await this.purposes.update(m, purpose.id, {
        currentVersion: version,
        ...(requiresReconsent ? { reconsentFromVersion: version } : {}),
      });
      // Issue 14 item 2: everyone whose grant stops counting is a change in the feed (one statement).
      if (requiresReconsent) {
        await this.changes.appendForGranted(m, 'reconsent_required', key);
        // Grants of older versions stop counting: the purpose's kept decisions are decided again (issue 16 item 1).
        await this.decisions.refreshPurpose(m, key);
      }
      await this.audit.append(m, {
        action: 'consent_text.published',
        targetType: 'purpose',
        targetId: key,
        data: { version, requiresReconsent, locales: texts.map((t) => t.locale), sha256: texts.map((t) => t.sha256) },
      });
      return { version, status: 'published' as const, publishedAt, texts };
    });
  }

  /** Edits one locale of a draft; a published version answers 409 whatever is asked. */
  async updateDraft(
    key: string,
    version: number,
    locale: string,
    patch: { title?: string; body?: string },
  ): Promise<TextDraftResponse> {
    return this.dataSource.transaction(async (m) => {
      const purpose = await this.purposes.lockByKey(m, key);
      if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
      const rows = await this.purposes.findVersion(m, key, version);
      if (rows.some((t) => t.publishedAt)) throw this.published(version);
      const row = rows.find((t) => t.locale === locale);
      if (!row) throw new ProblemError('text_not_found', 'No draft with this version and locale.');
      const body = patch.body ?? row.body;
      this.render(body, purpose);
      await this.purposes.upsertDraft(m, { purposeKey: key, version, locale, title: patch.title ?? row.title, body });
      await this.audit.append(m, {
        action: 'consent_text.drafted',
        targetType: 'purpose',
        targetId: key,
        data: { version, locale },
      });
      return { version, locale, status: 'draft' as const };
    });
  }

  async deleteDraft(key: string, version: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const purpose = await this.purposes.lockByKey(m, key);
      if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
      const rows = await this.purposes.findVersion(m, key, version);
      if (!rows.length) throw new ProblemError('text_not_found', 'No text with this version.');
      if (rows.some((t) => t.publishedAt)) throw this.published(version);
      await this.purposes.deleteDraftVersion(m, key, version);
      await this.audit.append(m, {
        action: 'consent_text.draft_deleted',
        targetType: 'purpose',
        targetId: key,
        data: { version },
      });
    });
  }

  async current(key: string, locale: string): Promise<ConsentText> {
    const purpose = await this.purposes.findByKey(key);
    if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
    if (purpose.currentVersion === null) throw new ProblemError('text_not_found', 'No published text yet.');
    const text = await this.purposes.findText(key, purpose.currentVersion, locale);
    if (!text) throw new ProblemError('locale_not_available', 'The current version has no text in this locale.');
    return text;
  }

  async getVersion(key: string, version: number): Promise<ConsentText[]> {
    const rows = await this.purposes.findVersion(this.dataSource.manager, key, version);
    if (!rows.length) throw new ProblemError('text_not_found', 'No text with this version.');
    return rows;
  }

  async listVersions(key: string): Promise<TextVersionSummary[]> {
    const purpose = await this.purposes.findByKey(key);
    if (!purpose) throw new ProblemError('purpose_not_found', 'No purpose with this key.');
    return (await this.purposes.listVersions(key)).map((v) => ({
      version: v.version,
      status: v.published_at ? ('published' as const) : ('draft' as const),
      publishedAt: v.published_at ? new Date(v.published_at).toISOString() : null,
      requiresReconsent: v.requires_reconsent,
      locales: v.locales,
    }));
  }

  private render(body: string, purpose: Purpose): string {
    try {
      return renderConsentText(body, templateModel(purpose, this.env.CONTROLLER_NAME));
    } catch (e) {
      if (e instanceof TemplateInvalidError) throw new ProblemError('template_invalid', e.message);
      throw e;
    }
  }

  private published(version: number): ProblemError {
    return new ProblemError('text_already_published', 'This version is published and cannot change.', { version });
  }
}
