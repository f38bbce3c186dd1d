import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Breach } from './breach.entity';

export type BreachEventType =
  'created' | 'updated' | 'authority_notified' | 'subjects_selected' | 'subject_notices_requested';

/** A changed field with its old and new value. Incident values are facts about an incident, not personal data. */
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/**
 * The history of an incident (Art. 33(5): the documentation must let the authority verify compliance, so
 * what was known when matters). Append-only: the database refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity({ name: 'breach_events' })
@Index('ix_breach_events_breach', ['breachId', 'seq'])
export class BreachEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid' })
  breachId: string;

  @ManyToOne(() => Breach, { nullable: false })
  @JoinColumn({ name: 'breach_id', foreignKeyConstraintName: 'fk_breach_events_breach' })
  breach?: Breach;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'text' })
  type: BreachEventType;

  @Column({ type: 'text' })
  actorType: string;

  @Column({ type: 'text' })
  actorId: string;

  /** `{ field: { from, to } }` for incident fields; counts and ids for the other events. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;
}
