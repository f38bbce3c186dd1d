import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DsrRequest } from './request.entity';

export type RequestTokenPurpose = 'verify' | 'status' | 'download';

/**
 * Links mailed to or shown to a subject. Only the SHA-256 of the token is stored (hashToken): someone
 * reading this table cannot verify a request or download a package. Each token is bound to one request.
 */
@Entity({ name: 'request_tokens' })
@Check('ck_request_tokens_purpose', `purpose IN ('verify', 'status', 'download')`)
@Index('ix_request_tokens_request', ['requestId', 'purpose'])
@Index('ix_request_tokens_expires', ['expiresAt'])
export class RequestToken {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  requestId: string;

  @ManyToOne(() => DsrRequest, { nullable: false })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_request_tokens_request' })
  request?: DsrRequest;

  @Column({ type: 'text' })
  purpose: RequestTokenPurpose;

  @Index('ux_request_tokens_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  /** Uses (page views and posts); past the limit the token is dead even before it expires. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
