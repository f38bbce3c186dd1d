import type { HoldBasis } from './subject-rules';

export interface NewHold {
  reason: string;
  legalBasis: HoldBasis;
  /** Empty: everything. */
  categories: string[];
  endsAt?: Date | null;
}

/** A hold as the erasure sees it: no reason (it may name a case), only what it keeps and on what ground. */
export interface ActiveHold {
  legalBasis: HoldBasis | null;
  categories: string[];
  endsAt: Date | null;
}

/** One data category an erasure keeps, the ground it is kept on and until when (null: until released). */
export interface KeptCategory {
  category: string;
  legalBasis: HoldBasis | null;
  until: Date | null;
}

/**
 * Art. 17(3): which of a system's data categories the active holds keep. A hold naming no category keeps them
 * all. Where two holds keep one category, the one that lasts longer decides (an open-ended hold outlasts any
 * date), so the category is never erased while a ground still stands.
 */
export function keptCategories(holds: readonly ActiveHold[], systemCategories: readonly string[]): KeptCategory[] {
  const kept = new Map<string, KeptCategory>();
  for (const h of holds) {
    const covered = h.categories.length ? systemCategories.filter((c) => h.categories.includes(c)) : systemCategories;
    for (const category of covered) {
      const before = kept.get(category);
      if (!before || outlasts(h.endsAt, before.until)) {
        kept.set(category, { category, legalBasis: h.legalBasis, until: h.endsAt });
      }
    }
  }
  return [...kept.values()].sort((a, b) => a.category.localeCompare(b.category));
}

const outlasts = (a: Date | null, b: Date | null) => (b === null ? false : a === null || a > b);

/** The latest end among kept categories (or holds); null when any lasts until released. */
export function keptUntil(kept: readonly { until: Date | null }[]): Date | null {
  if (!kept.length || kept.some((k) => k.until === null)) return null;
  return new Date(Math.max(...kept.map((k) => k.until!.getTime())));
}
