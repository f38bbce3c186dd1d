import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { ConsentImport } from './consent-import.entity';
import { sha256Hex } from './consent-template';
import { PurposesRepository } from './purposes.repository';

export interface InlineText {
  locale: string;
  title: string;
  body: string;
}

export interface TextRef {
  version: number;
  locale: string;
}

/** A row's inline `text: { locale, title, body }`, when it is one. */
export function inlineText(row: Record<string, unknown>): InlineText | null {
  const t = row.text as Partial<InlineText> | undefined;
  if (!t || typeof t !== 'object') return null;
  const ok =
    typeof t.locale === 'string' &&
    /^[a-z]{2}(-[A-Z]{2})?$/.test(t.locale) &&
    typeof t.title === 'string' &&
    t.title.length > 0 &&
    t.title.length <= 300 &&
    typeof t.body === 'string' &&
    t.body.length > 0 &&
    t.body.length <= 100_000;
  return ok ? { locale: t.locale!, title: t.title!, body: t.body! } : null;
}

export const textKey = (purpose: string, body: string) => `${purpose}\u0000${sha256Hex(body)}`;

/** The texts an import brings with its rows (issue 14 item 1), made versions before the rows are recorded. */
@Injectable()
export class ImportTexts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * Issue 14 item 1: every distinct inline `text` of the file (by purpose and the SHA-256 of its words) becomes a
   * published, frozen version marked imported, dated the earliest `occurredAt` that uses it; a text Zgoda already
   * has with the same words is used as it is. Two passes over the stored file, one piece in memory at a time.
   */
  async bringIn(imp: ConsentImport, rows: AsyncIterable<{ input: unknown }>): Promise<Map<string, TextRef>> {
    const found = new Map<string, InlineText & { purpose: string; earliest: Date }>();
    for await (const { input } of rows) {
      // The row pass reports what is not a row.
      if (typeof input !== 'object' || input === null) continue;
      const row = { ...imp.defaults, ...(input as Record<string, unknown>) };
      const text = inlineText(row);
      const at = new Date(String(row.occurredAt));
      if (!text || typeof row.purpose !== 'string' || Number.isNaN(at.getTime())) continue;
      const key = textKey(row.purpose, text.body);
      const seen = found.get(key);
      if (!seen || at < seen.earliest) found.set(key, { ...text, purpose: row.purpose, earliest: at });
    }
    const out = new Map<string, TextRef>();
    for (const [key, t] of found) {
      const ref = await this.dataSource.transaction(async (m) => {
        // The purpose's lock: two imports of one text create it once.
        if (!(await this.purposes.lockByKey(m, t.purpose))) return null;
        const sha256 = sha256Hex(t.body);
        const existing = await this.purposes.findPublishedBySha(m, t.purpose, sha256);
        if (existing) return { version: existing.version, locale: existing.locale };
        const version = await this.purposes.insertImportedText(m, {
          purposeKey: t.purpose,
          locale: t.locale,
          title: t.title,
          body: t.body,
          sha256,
          publishedAt: t.earliest,
        });
        await this.audit.append(m, {
          action: 'consent_text.imported',
          targetType: 'purpose',
          targetId: t.purpose,
          data: { version, locale: t.locale, sha256, publishedAt: t.earliest.toISOString(), importId: imp.id },
        });
        return { version, locale: t.locale };
      });
      if (ref) out.set(key, ref);
    }
    return out;
  }
}
