import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REQUEST_STATUSES, REQUEST_TYPES } from './request.types';

/*
 * The shapes request intake answers with, for the OpenAPI document and the typed client generated from it
 * (issue 24). The full request view has more fields (tasks, assessment, recipients); these are the ones a client
 * filing a request relies on.
 */

export class RequestResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: REQUEST_TYPES })
  type: (typeof REQUEST_TYPES)[number];

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: (typeof REQUEST_STATUSES)[number];

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  subjectId: string | null;

  @ApiProperty({ example: 'pl' })
  locale: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  verifiedAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'One month from receipt (Art. 12(3)); see .../clock' })
  dueAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'After an extension' })
  extendedDueAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ example: 'on_track' })
  deadlineState: string;

  @ApiPropertyOptional({
    description: 'Intake only: true when this is the subject’s open request of the same type, answered with 200',
  })
  duplicate?: boolean;
}

export class PublicRequestAccepted {
  @ApiProperty({ enum: ['accepted'] })
  status: 'accepted';

  @ApiProperty({ description: 'The same whether or not the address is known (Recital 64)' })
  message: string;
}
