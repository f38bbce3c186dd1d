import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';
import { PURPOSE_KEY_PATTERN } from './consent.types';
import { ConsentSubscription } from './consent-subscription.entity';

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
}

/** The secret is never shown again. */
export const subscriptionView = (s: ConsentSubscription) => ({
  id: s.id,
  url: s.url,
  purposes: s.purposes,
  createdAt: s.createdAt.toISOString(),
  disabledAt: s.disabledAt?.toISOString() ?? null,
});
