import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { IdentifierKind } from '../common/identifiers/normalise';

/**
 * A keyed hash of an identifier of an erased subject (PRODUCT.md 3): a re-imported e-mail stays
 * suppressed. It carries no subject id and uses a key of its own, so it cannot be joined back to the
 * person or to the blind index.
 */
@Entity({ name: 'subject_suppressions' })
export class SubjectSuppression {
  @PrimaryColumn({ type: 'text' })
  kind: IdentifierKind;

  @PrimaryColumn({ type: 'char', length: 64 })
  hash: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
