import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Subject } from './subject.entity';

/**
 * The subject's data key, wrapped by the master key of `keyVersion`. Deleting the row is the erasure:
 * every ciphertext of the subject, in this database and in its backups, becomes noise.
 */
@Entity({ name: 'subject_keys' })
export class SubjectKey {
  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  @ManyToOne(() => Subject, { nullable: false })
  @JoinColumn({ name: 'subject_id', foreignKeyConstraintName: 'fk_subject_keys_subject' })
  subject?: Subject;

  @Column({ type: 'bytea' })
  wrappedKey: Buffer;

  @Column({ type: 'integer' })
  keyVersion: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rewrappedAt: Date | null;
}
