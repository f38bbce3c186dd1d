import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { SUBJECT_STATUSES, SubjectStatus } from './subject.entity';
import { HOLD_BASES, HoldBasis } from './subject-rules';

/*
 * What the subject routes answer, for the OpenAPI document and the typed client (issue 24). The view functions
 * (subject.view.ts) are typed with these classes, so the compiler holds the code to what the document says.
 */

export class SubjectCreated {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['active'] })
  status: 'active';

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class HoldResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, description: 'Left out (null) in the answer to POST: see the README' })
  reason: string | null;

  @ApiProperty({ enum: HOLD_BASES, nullable: true })
  legalBasis: HoldBasis | null;

  @ApiProperty({ type: [String], description: 'The data categories held; empty: all of them' })
  categories: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it ends; null: when released' })
  until: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    deprecated: true,
    description: 'The earlier name of `until`',
  })
  endsAt: string | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ example: 'api_key:54ba4abb-0f76-4826-8ae8-6f67350a1234' })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  releasedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  releasedBy: string | null;
}

export class SubjectIdentifierView {
  @ApiProperty({ enum: ['email', 'phone', 'external_id'] })
  kind: IdentifierKind;

  @ApiProperty()
  value: string;

  @ApiProperty({ type: String, nullable: true, description: 'The data system an external id belongs to' })
  system: string | null;

  @ApiProperty()
  primary: boolean;
}

export class LiftNoticeView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt: string;
}

export class RestrictionView {
  @ApiProperty({ type: String, nullable: true, description: 'The ground (Art. 18(1)(a)-(d))' })
  reason: string | null;

  @ApiProperty({ format: 'date-time' })
  since: string;

  @ApiProperty({ type: LiftNoticeView, nullable: true, description: 'A lift waiting for its notice to be sent' })
  liftNotice: LiftNoticeView | null;
}

export class ObjectionsView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Art. 21(2)' })
  directMarketingSince: string | null;

  @ApiProperty({ type: [String], description: 'Purpose keys objected to (Art. 21(1))' })
  purposes: string[];
}

export class SubjectResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The id asked for, when it was merged into this subject' })
  requestedId?: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  mergedInto: string | null;

  @ApiProperty({ enum: SUBJECT_STATUSES })
  status: SubjectStatus;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty({ type: String, nullable: true })
  externalId: string | null;

  @ApiProperty({ type: [SubjectIdentifierView] })
  identifiers: SubjectIdentifierView[];

  @ApiProperty({ type: String, nullable: true })
  firstName: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastName: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  birthDate: string | null;

  @ApiProperty({ type: String, nullable: true })
  locale: string | null;

  @ApiProperty({ type: RestrictionView, nullable: true })
  restriction: RestrictionView | null;

  @ApiProperty({ type: ObjectionsView })
  objections: ObjectionsView;

  @ApiProperty({ type: [HoldResponse] })
  holds: HoldResponse[];

  @ApiProperty()
  onHold: boolean;

  @ApiProperty({ type: [String], description: 'Ids of the records merged into this one' })
  mergedIds: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time' })
  lastActivityAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  erasedAt: string | null;
}

export class RestrictionLiftPending {
  @ApiProperty({ format: 'uuid', description: 'The Art. 18(3) notice; the restriction ends when it is sent' })
  noticeId: string;

  @ApiProperty({ type: SubjectResponse })
  subject: SubjectResponse;
}
