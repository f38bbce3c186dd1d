import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Subject } from './subject.entity';

/**
 * The latest date a data system reported for a subject, per kind (issue 13 item 15): a data category's last
 * entry (`eye_exam_records`, `accounting_records`), or an event (`complaint_settled`, `contract_ended`).
 * Retention counts those periods from it rather than from Zgoda's own last activity. Dates only.
 */
@Entity({ name: 'subject_entries' })
export class SubjectEntry {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_subject_entries' })
  subjectId: string;

  @ManyToOne(() => Subject, { nullable: false })
  @JoinColumn({ name: 'subject_id', foreignKeyConstraintName: 'fk_subject_entries_subject' })
  subject?: Subject;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_subject_entries' })
  kind: string;

  /** '' when the reporting system was not named. */
  @PrimaryColumn({ type: 'text', default: '', primaryKeyConstraintName: 'pk_subject_entries' })
  systemKey: string;

  @Column({ type: 'timestamptz' })
  lastAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
