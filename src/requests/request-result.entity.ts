import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DsrRequest } from './request.entity';

/** The access or portability package (ZIP), sealed at rest (LEGAL item 22). */
@Entity({ name: 'request_results' })
export class RequestResult {
  @PrimaryColumn({ type: 'uuid' })
  requestId: string;

  @ManyToOne(() => DsrRequest, { nullable: false })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_request_results_request' })
  request?: DsrRequest;

  @Column({ type: 'text' })
  contentType: string;

  @Column({ type: 'text' })
  fileName: string;

  @Column({ type: 'bytea' })
  contentSealed: Buffer;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'int' })
  size: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
