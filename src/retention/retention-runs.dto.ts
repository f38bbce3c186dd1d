import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { ListQuery } from '../common/http/pagination';
import {
  ITEM_OUTCOMES,
  ItemOutcome,
  NOTICE_STATUSES,
  NoticeStatus,
  REVIEW_RESOLUTIONS,
  REVIEW_STATUSES,
  ReviewResolution,
  ReviewStatus,
} from './retention.types';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class StartRunDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Judge every subject and list what would happen; change nothing.',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'Only this policy (by key); default: every active policy.' })
  @IsOptional()
  @Matches(SLUG, { message: 'policy must be a policy key' })
  policy?: string;
}

export class RunItemsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: ITEM_OUTCOMES })
  @IsOptional()
  @IsIn(ITEM_OUTCOMES)
  outcome?: ItemOutcome;
}

export class NoticesQuery extends ListQuery {
  @ApiPropertyOptional({ enum: NOTICE_STATUSES })
  @IsOptional()
  @IsIn(NOTICE_STATUSES)
  status?: NoticeStatus;
}

export class ReviewListQuery extends ListQuery {
  @ApiPropertyOptional({ enum: REVIEW_STATUSES })
  @IsOptional()
  @IsIn(REVIEW_STATUSES)
  status?: ReviewStatus;

  @ApiPropertyOptional({ description: 'A policy key.' })
  @IsOptional()
  @Matches(SLUG, { message: 'policy must be a policy key' })
  policy?: string;
}

export class ResolveReviewDto {
  @IsIn(REVIEW_RESOLUTIONS)
  @ApiProperty({
    enum: REVIEW_RESOLUTIONS,
    description:
      '`destroyed`: the data was destroyed where it lives; `kept`: it stays (place a legal hold if a case needs it).',
  })
  resolution: ReviewResolution;
}
