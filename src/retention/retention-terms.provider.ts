import { Injectable, OnModuleInit } from '@nestjs/common';
import { RetentionTerms } from '../requests';
import type { PurposeScope } from '../requests';
import { describeRetention } from './retention-due';
import { RetentionPoliciesService } from './retention-policies.service';

/**
 * Answers the access report's "how long" (Art. 15(1)(d), issue 13 item 9) from the policies enforced: a policy
 * for the purpose itself, or for a data category the purpose or its systems hold. A category policy is prefixed
 * with its category, so the reader knows which data it governs.
 */
@Injectable()
export class RetentionTermsProvider implements OnModuleInit {
  constructor(
    private readonly terms: RetentionTerms,
    private readonly policies: RetentionPoliciesService,
  ) {}

  onModuleInit(): void {
    this.terms.provide(async (purposes: PurposeScope[], locale) => {
      const active = await this.policies.listActive();
      const out = new Map<string, string[]>();
      for (const p of purposes) {
        const texts = active
          .filter(
            (pol) => pol.purposeKey === p.key || (pol.dataCategory !== null && p.categories.includes(pol.dataCategory)),
          )
          .map((pol) => {
            const words = describeRetention(pol, locale);
            return pol.dataCategory !== null ? `${pol.dataCategory}: ${words}` : words;
          });
        out.set(p.key, texts);
      }
      return out;
    });
  }
}
