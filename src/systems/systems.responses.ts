import { ApiProperty } from '@nestjs/swagger';

/* What the data-system routes answer (issue 24); systemView is typed with these classes. */

export class SystemProcessorView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  contact: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'ISO 3166-1 alpha-2' })
  country: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'For a transfer outside the EEA (Art. 46)' })
  transferSafeguards: string | null;
}

export class SystemWebhookView {
  @ApiProperty()
  url: string;

  @ApiProperty({ description: 'The secret itself never leaves Zgoda' })
  secretSet: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  secretRotatedAt: string | null;
}

export class SystemResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  key: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['webhook', 'manual', 'internal'], description: 'How its tasks are done' })
  kind: 'webhook' | 'manual' | 'internal';

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: [String] })
  dataCategories: string[];

  @ApiProperty({ type: [String] })
  purposes: string[];

  @ApiProperty({ type: SystemProcessorView, nullable: true, description: 'Set when a processor runs it (Art. 28)' })
  processor: SystemProcessorView | null;

  @ApiProperty({ type: SystemWebhookView, nullable: true })
  webhook: SystemWebhookView | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
