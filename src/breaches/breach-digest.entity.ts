import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One row per hourly DPO digest sent: the scheduled job is delivered at least once, the e-mail goes once. */
@Entity({ name: 'breach_digests' })
export class BreachDigest {
  @PrimaryColumn({ type: 'timestamptz' })
  periodStart: Date;

  @Column({ type: 'uuid' })
  emailId: string;

  @Column({ type: 'integer' })
  breaches: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
