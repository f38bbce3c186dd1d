import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
} from 'class-validator';
import { CHANGE_TYPES, ChangeType } from './consent-change.entity';
import { PURPOSE_KEY_PATTERN } from './consent.types';
import { ConsentSubscription } from './consent-subscription.entity';
import type { SubscriptionView } from './consent-records.responses';

export class CreateConsentSubscriptionDto {
  @ApiProperty({ example: 'https://crm.example.com/hooks/zgoda' })
  @IsString()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @Length(1, 2000)
  url: string;

  @ApiProperty({ description: 'HMAC secret for x-zgoda-signature; at least 16 characters' })
  @IsString()
  @Length(16, 200)
  secret: string;

  @ApiPropertyOptional({ type: [String], description: 'Purpose keys of interest; all when omitted' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(200)
  @Matches(PURPOSE_KEY_PATTERN, { each: true })
  purposes?: string[];

  @ApiPropertyOptional({
    type: [String],
    enum: CHANGE_TYPES,
    description:
      'Change-feed types: the subscription then receives these changes (as GET /v1/changes gives them, ids only) ' +
      'in feed order, a failed one retried before any later one; omitted: one consent.changed per consent event',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMinSize(1)
  @IsIn(CHANGE_TYPES, { each: true })
  types?: ChangeType[];
}

/** The secret is never shown again. */
export const subscriptionView = (s: ConsentSubscription): SubscriptionView => ({
  id: s.id,
  url: s.url,
  purposes: s.purposes,
  types: s.types,
  createdAt: s.createdAt.toISOString(),
  disabledAt: s.disabledAt?.toISOString() ?? null,
});
