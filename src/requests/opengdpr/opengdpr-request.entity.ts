import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DsrRequest } from '../request.entity';

/**
 * A request received under OpenGDPR (Zgoda as processor). The body itself is not stored: it holds the
 * subject's identities, and the spec asks that `encoded_request` not be kept; its SHA-256 detects a
 * resubmission of the same id with another body.
 */
@Entity({ name: 'opengdpr_requests' })
export class OpenGdprRequest {
  @PrimaryColumn({ type: 'uuid' })
  subjectRequestId: string;

  @Index('ux_opengdpr_requests_request', { unique: true })
  @Column({ type: 'uuid' })
  requestId: string;

  @ManyToOne(() => DsrRequest, { nullable: false })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_opengdpr_requests_request' })
  request?: DsrRequest;

  /** The API key that submitted it: the controller, in our system. */
  @Column({ type: 'text' })
  controllerId: string;

  @Column({ type: 'text' })
  apiVersion: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  statusCallbackUrls: string[];

  @Column({ type: 'char', length: 64 })
  bodySha256: string;

  /** The OpenGDPR status last announced to the callbacks. */
  @Column({ type: 'text', default: 'pending' })
  lastStatus: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
