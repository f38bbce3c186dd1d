import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RetentionPolicy } from './retention-policy.entity';

/** What a policy said at a version (Art. 5(2): the controller shows which rule was enforced when). */
export interface PolicyVersionSnapshot {
  key: string;
  dataCategory: string | null;
  purpose: string | null;
  system: string | null;
  trigger: string;
  period: string;
  roundToYearEnd: boolean;
  action: string;
  legalBasis: string;
  owner: string | null;
  active: boolean;
}

/** Every version of every policy. Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
@Entity({ name: 'retention_policy_versions' })
export class RetentionPolicyVersion {
  @PrimaryColumn({ type: 'uuid' })
  policyId: string;

  @ManyToOne(() => RetentionPolicy, { nullable: false })
  @JoinColumn({ name: 'policy_id', foreignKeyConstraintName: 'fk_retention_policy_versions_policy' })
  policy?: RetentionPolicy;

  @PrimaryColumn({ type: 'int' })
  version: number;

  @Column({ type: 'jsonb' })
  snapshot: PolicyVersionSnapshot;

  /** Fields that differ from the previous version (all of them for version 1). */
  @Column({ type: 'text', array: true })
  changedFields: string[];

  /** `<principal kind>:<id>`, never a name. */
  @Column({ type: 'text' })
  changedBy: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
