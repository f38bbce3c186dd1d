import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NoticeResponse, ReviewResponse, RunDetail, RunItemView, RunResponse } from './retention.responses';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { ProblemError } from '../common/problem/problem.error';
import { Idempotent } from '../idempotency';
import { RetentionNoticesService } from './retention-notices.service';
import { NoticesQuery, ResolveReviewDto, ReviewListQuery, RunItemsQuery, StartRunDto } from './retention-runs.dto';
import { RetentionReviewsService } from './retention-reviews.service';
import { RetentionRunsService } from './retention-runs.service';
import { itemView, noticeView, reviewView, runView } from './retention-views';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuidOr404 = (id: string, what: string) => {
  if (!UUID.test(id)) throw new ProblemError('not_found', `No ${what} with this id.`);
  return id;
};

@ApiTags('retention')
@Controller('v1/retention/runs')
export class RetentionRunsController {
  constructor(
    private readonly runs: RetentionRunsService,
    private readonly notices: RetentionNoticesService,
  ) {}

  @Post()
  @ApiAcceptedResponse({ type: RunResponse, description: 'Queued' })
  @ApiProblem('unknown_policy', 'run_in_progress')
  @HttpCode(202)
  @RequireScopes('retention:manage')
  @Idempotent<RetentionRunsController, RunResponse>({
    ref: (b) => ({ id: b.id }),
    replay: async (c, r) => runView(await c.runs.get(String(r.id))),
  })
  @ApiOperation({ summary: 'Start a retention run (or a dry run); 409 run_in_progress while another runs' })
  async start(@Body() dto: StartRunDto) {
    const run = await this.runs.start({ dryRun: dto.dryRun ?? false, policy: dto.policy, source: 'api' });
    return runView(run!);
  }

  @Get()
  @ApiPage(RunResponse)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Retention runs, newest first' })
  async list(@Query() q: ListQuery) {
    const cursor = decodeCursor<{ createdAt: string; id: string }>(q.cursor, ['createdAt', 'id']);
    const rows = await this.runs.list(cursor, q.limit + 1);
    return pageOf(rows, q.limit, runView, (r) => ({ createdAt: r.createdAt.toISOString(), id: r.id }));
  }

  @Get(':id')
  @ApiOkResponse({ type: RunDetail })
  @RequireScopes('retention:manage')
  @ApiOperation({
    summary: 'A run: status, counts per policy and category; for a dry run, the subjects affected (paged)',
  })
  async get(@Param('id') id: string, @Query() q: ListQuery): Promise<RunDetail> {
    const run = await this.runs.get(uuidOr404(id, 'retention run'));
    if (run.dryRun) return { ...runView(run), affected: await this.itemsPage(id, q) };
    const notices = (await this.notices.counts([id])).get(id);
    return { ...runView(run), notices };
  }

  @Get(':id/notices')
  @ApiPage(NoticeResponse)
  @RequireScopes('retention:manage')
  @ApiOperation({
    summary: 'The other data systems told of the erasures (webhook calls, or notices for a person to act on)',
  })
  async listNotices(@Param('id') id: string, @Query() q: NoticesQuery) {
    await this.runs.get(uuidOr404(id, 'retention run'));
    const cursor = decodeCursor<{ subjectId: string; systemKey: string }>(q.cursor, ['subjectId', 'systemKey']);
    const rows = await this.notices.list(id, cursor, q.limit + 1, q.status);
    return pageOf(rows, q.limit, noticeView, (n) => ({ subjectId: n.subjectId, systemKey: n.systemKey }));
  }

  @Get(':id/items')
  @ApiPage(RunItemView)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'What the run did (or would do) to each subject under each policy: ids and codes only' })
  async items(@Param('id') id: string, @Query() q: RunItemsQuery) {
    await this.runs.get(uuidOr404(id, 'retention run'));
    return this.itemsPage(id, q, q.outcome);
  }

  @Post(':id/cancel')
  @ApiOkResponse({ type: RunResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Stop a run at its next batch; what is done stays done' })
  async cancel(@Param('id') id: string) {
    return runView(await this.runs.cancel(uuidOr404(id, 'retention run')));
  }

  private async itemsPage(id: string, q: ListQuery, outcome?: RunItemsQuery['outcome']) {
    const run = await this.runs.get(id);
    const cursor = decodeCursor<{ subjectId: string; policyKey: string }>(q.cursor, ['subjectId', 'policyKey']);
    const rows = await this.runs.items(id, cursor, q.limit + 1, outcome ? [outcome] : undefined);
    return pageOf(rows, q.limit, itemView(run), (i) => ({ subjectId: i.subjectId, policyKey: i.policyKey }));
  }
}

@ApiTags('retention')
@Controller('v1/retention/reviews')
export class RetentionReviewsController {
  constructor(private readonly reviews: RetentionReviewsService) {}

  @Get()
  @ApiPage(ReviewResponse)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Review tasks raised by `review` policies, oldest first' })
  async list(@Query() q: ReviewListQuery) {
    const cursor = decodeCursor<{ createdAt: string; id: string }>(q.cursor, ['createdAt', 'id']);
    const rows = await this.reviews.list({ status: q.status, policyKey: q.policy }, cursor, q.limit + 1);
    return pageOf(rows, q.limit, reviewView, (t) => ({ createdAt: t.createdAt.toISOString(), id: t.id }));
  }

  @Post(':id/resolve')
  @ApiOkResponse({ type: ReviewResponse })
  @ApiProblem('invalid_transition')
  @HttpCode(200)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Record the decision on a review task' })
  async resolve(@Param('id') id: string, @Body() dto: ResolveReviewDto) {
    return reviewView(await this.reviews.resolve(uuidOr404(id, 'review task'), dto.resolution));
  }
}
