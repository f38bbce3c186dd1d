import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What the UODO layout asks about an activity that a purpose does not say: the organisational unit, the
 * source of the data (Art. 14(2)(f)), the DPIA (Art. 35) and a security description of its own.
 */
@Entity({ name: 'register_activity_details' })
export class RegisterActivityDetails {
  /** The purpose key: one activity per purpose. */
  @PrimaryColumn({ type: 'text' })
  purposeKey: string;

  @Column({ type: 'text', nullable: true })
  organisationalUnit: string | null;

  @Column({ type: 'text', nullable: true })
  dataSource: string | null;

  @Column({ type: 'text', nullable: true })
  dpiaReference: string | null;

  /** Art. 30(1)(g) for this activity alone; null: the controller-wide description. */
  @Column({ type: 'text', nullable: true })
  securityMeasures: string | null;

  /** Art. 30(1)(e): safeguards documented for transfers under Art. 49(1) second subparagraph. */
  @Column({ type: 'text', nullable: true })
  transferDocumentation: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ type: 'text' })
  updatedBy: string;
}
