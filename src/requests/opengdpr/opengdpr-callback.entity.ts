import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OpenGdprRequest } from './opengdpr-request.entity';

/** One status-change callback to one URL (spec 8.5: every URL, on every change), delivered at least once. */
@Entity({ name: 'opengdpr_callbacks' })
@Index('ix_opengdpr_callbacks_request', ['subjectRequestId', 'createdAt'])
@Index('ix_opengdpr_callbacks_created', ['createdAt'])
export class OpenGdprCallback {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  subjectRequestId: string;

  @ManyToOne(() => OpenGdprRequest, { nullable: false })
  @JoinColumn({ name: 'subject_request_id', foreignKeyConstraintName: 'fk_opengdpr_callbacks_request' })
  opengdprRequest?: OpenGdprRequest;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text' })
  requestStatus: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
