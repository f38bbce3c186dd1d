import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RetentionRun } from './retention-run.entity';
import type { NoticeStatus } from './retention.types';

/**
 * Another data system told that a run erased or anonymised a subject whose data it also holds (Art. 19,
 * as for an erasure request). Webhook systems are called (job `retention.notify-system`); manual ones are
 * listed for a person. The identifiers sent are snapshotted, sealed, before Zgoda destroys its own copy,
 * and wiped once the notice is settled.
 */
@Entity({ name: 'retention_system_notices' })
@Index('ux_retention_system_notices_subject', ['runId', 'subjectId', 'systemKey'], { unique: true })
@Check('ck_retention_system_notices_action', `action IN ('erase', 'anonymise')`)
@Check('ck_retention_system_notices_status', `status IN ('pending', 'sent', 'failed', 'manual')`)
export class RetentionSystemNotice {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  runId: string;

  @ManyToOne(() => RetentionRun, { nullable: false })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_retention_system_notices_run' })
  run?: RetentionRun;

  @Column({ type: 'uuid' })
  subjectId: string;

  /** The policy the record was destroyed under. */
  @Column({ type: 'text' })
  policyKey: string;

  @Column({ type: 'text' })
  action: 'erase' | 'anonymise';

  @Column({ type: 'uuid' })
  systemId: string;

  @Column({ type: 'text' })
  systemKey: string;

  @Column({ type: 'text' })
  systemKind: string;

  /** `{ id, identifiers }` sealed (`retention_notice:<id>:subject`); null once settled. */
  @Column({ type: 'bytea', nullable: true })
  subjectSealed: Buffer | null;

  @Column({ type: 'text', default: 'pending' })
  status: NoticeStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** A code (`http_500`, `timeout`), never a response body. */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
