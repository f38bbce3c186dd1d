import type { Channel, LegalBasis, SpecialCategoryBasis } from './consent.types';

/** A purpose as other modules see it (the register, requests): the entity's columns, without the entity. */
export interface PurposeRecord {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string | null;
  readonly legalBasis: LegalBasis;
  readonly specialCategoryBasis: SpecialCategoryBasis | null;
  readonly dataCategories: string[];
  readonly subjectCategories: string[];
  readonly recipients: string[];
  readonly processors: string[];
  readonly transfers: string[];
  readonly channels: Channel[];
  readonly minimumAge: number;
  readonly validityDays: number | null;
  readonly doubleOptIn: boolean;
  readonly marketing: boolean;
  readonly saleOrSharing: boolean;
  readonly retention: string | null;
  /** Art. 15(1)(h): automated decision-making for this purpose, in words; null: none. */
  readonly automatedDecisions: string | null;
  readonly currentVersion: number | null;
  readonly reconsentFromVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
