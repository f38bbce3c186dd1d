import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RetentionTrigger } from './retention-due';
import type { RetentionAction } from './retention.types';

/**
 * A retention rule (LEGAL item 24): which data (a category, or what was collected for a purpose), from
 * which event, for how long, what happens then, and the law it rests on. Every change makes a new
 * version in `retention_policy_versions`.
 */
@Entity({ name: 'retention_policies' })
@Check('ck_retention_policies_scope', '(data_category IS NULL) <> (purpose_key IS NULL)')
@Check(
  'ck_retention_policies_trigger',
  `"trigger" IN ('last_activity', 'end_of_year_after_last_entry', 'consent_withdrawn', 'contract_ended', 'request_completed', 'created', 'complaint_settled')`,
)
@Check('ck_retention_policies_action', `action IN ('erase', 'anonymise', 'review')`)
export class RetentionPolicy {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** A slug, unique and immutable: runs, items and review tasks refer to policies by it. */
  @Index('ux_retention_policies_key', { unique: true })
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'text', nullable: true })
  dataCategory: string | null;

  @Column({ type: 'text', nullable: true })
  purposeKey: string | null;

  /** Where the data lives, by system key; null: Zgoda's own records. */
  @Column({ type: 'text', nullable: true })
  systemKey: string | null;

  @Column({ type: 'text' })
  trigger: RetentionTrigger;

  /** ISO 8601 duration. */
  @Column({ type: 'text' })
  period: string;

  @Column({ type: 'boolean', default: false })
  roundToYearEnd: boolean;

  @Column({ type: 'text' })
  action: RetentionAction;

  /** The provision the period rests on, as the register prints it. */
  @Column({ type: 'text' })
  legalBasis: string;

  /** Who answers for the policy: a role or a department. */
  @Column({ type: 'text', nullable: true })
  owner: string | null;

  /** Only active policies are enforced by the sweep and printed in the register. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
