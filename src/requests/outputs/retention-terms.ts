import { Injectable } from '@nestjs/common';
import type { Locale } from '../request.types';

export interface PurposeScope {
  key: string;
  /** The purpose's own data categories and those of the systems processing for it. */
  categories: string[];
}

/** Per purpose key, the enforced retention policies that apply, each in words; none: no policy is enforced. */
export type RetentionTermsSource = (purposes: PurposeScope[], locale: Locale) => Promise<Map<string, string[]>>;

/**
 * Issue 13 item 9, Art. 15(1)(d): the access report states the retention the company enforces, not free text.
 * The retention module owns the policies and depends on this one, so it registers itself here at start-up
 * (the dependency stays one way).
 */
@Injectable()
export class RetentionTerms {
  private source: RetentionTermsSource | null = null;

  provide(source: RetentionTermsSource): void {
    this.source = source;
  }

  of(purposes: PurposeScope[], locale: Locale): Promise<Map<string, string[]>> {
    // Fail closed: an access report without its retention periods would be incomplete (Art. 15(1)(d)).
    if (!this.source) throw new Error('no retention terms source registered (is RetentionModule imported?)');
    return this.source(purposes, locale);
  }
}
