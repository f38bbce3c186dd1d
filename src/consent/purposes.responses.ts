import { ApiProperty } from '@nestjs/swagger';
import { Channel, LegalBasis, SpecialCategoryBasis } from './consent.types';

/* What the purpose and text routes answer (issue 24); purposeView and textView are typed with these classes. */

export class PurposeResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  key: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: LegalBasis })
  legalBasis: LegalBasis;

  @ApiProperty({ enum: SpecialCategoryBasis, nullable: true })
  specialCategoryBasis: SpecialCategoryBasis | null;

  @ApiProperty({ type: [String] })
  dataCategories: string[];

  @ApiProperty({ type: [String] })
  subjectCategories: string[];

  @ApiProperty({ type: [String] })
  recipients: string[];

  @ApiProperty({ type: [String] })
  processors: string[];

  @ApiProperty({ type: [String] })
  transfers: string[];

  @ApiProperty({ enum: Channel, isArray: true })
  channels: Channel[];

  @ApiProperty({ type: 'integer' })
  minimumAge: number;

  @ApiProperty({ type: 'integer', nullable: true })
  validityDays: number | null;

  @ApiProperty()
  doubleOptIn: boolean;

  @ApiProperty()
  marketing: boolean;

  @ApiProperty()
  saleOrSharing: boolean;

  @ApiProperty({ type: String, nullable: true })
  retention: string | null;

  @ApiProperty({ type: String, nullable: true })
  automatedDecisions: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The current published text version' })
  currentVersion: number | null;

  @ApiProperty({ type: 'integer' })
  reconsentFromVersion: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class TextResponse {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty()
  locale: string;

  @ApiProperty({ enum: ['draft', 'published'] })
  status: 'draft' | 'published';

  @ApiProperty()
  title: string;

  @ApiProperty({ description: 'The template as written' })
  body: string;

  @ApiProperty({ type: String, nullable: true, description: 'The words shown, frozen at publication' })
  rendered: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of `rendered`' })
  sha256: string | null;

  @ApiProperty()
  requiresReconsent: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;

  @ApiProperty({ description: 'Brought in with an import: the words shown before Zgoda' })
  imported: boolean;
}

export class TextDraftResponse {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty()
  locale: string;

  @ApiProperty({ enum: ['draft'] })
  status: 'draft';
}

export class TextVersionSummary {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ enum: ['draft', 'published'] })
  status: 'draft' | 'published';

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;

  @ApiProperty()
  requiresReconsent: boolean;

  @ApiProperty({ type: [String] })
  locales: string[];
}

export class TextVersionList {
  @ApiProperty({ type: [TextVersionSummary], description: 'Every version, newest first' })
  items: TextVersionSummary[];
}

export class TextVersionResponse {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ enum: ['draft', 'published'] })
  status: 'draft' | 'published';

  @ApiProperty({ type: [TextResponse], description: 'One per locale' })
  texts: TextResponse[];
}

export class PublishedText {
  @ApiProperty()
  locale: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  rendered: string;

  @ApiProperty()
  sha256: string;
}

export class PublishedVersionResponse {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ enum: ['published'] })
  status: 'published';

  @ApiProperty({ format: 'date-time' })
  publishedAt: string;

  @ApiProperty({ type: [PublishedText] })
  texts: PublishedText[];
}
