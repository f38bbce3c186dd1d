import type { RetentionTrigger } from './retention-due';
import type { RetentionAction } from './retention.types';

/** A retention policy as other modules see it (the register): the entity's columns, without the entity. */
export interface RetentionPolicyRecord {
  readonly id: string;
  readonly key: string;
  readonly dataCategory: string | null;
  readonly purposeKey: string | null;
  readonly systemKey: string | null;
  readonly trigger: RetentionTrigger;
  readonly period: string;
  readonly roundToYearEnd: boolean;
  readonly action: RetentionAction;
  readonly legalBasis: string;
  readonly owner: string | null;
  readonly active: boolean;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
