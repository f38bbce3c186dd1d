import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PolicyResponse, PolicyVersionResponse } from './retention.responses';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { CreatePolicyDto, PolicyListQuery, UpdatePolicyDto } from './retention-policies.dto';
import { RetentionPoliciesService } from './retention-policies.service';
import { policyVersionView, policyView } from './retention-views';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

@ApiTags('retention')
@Controller('v1/retention/policies')
export class RetentionPoliciesController {
  constructor(private readonly policies: RetentionPoliciesService) {}

  @Post()
  @ApiCreatedResponse({ type: PolicyResponse })
  @ApiProblem('policy_exists')
  @RequireScopes('retention:manage')
  @Idempotent<RetentionPoliciesController, PolicyResponse>({
    ref: (b) => ({ key: b.key }),
    replay: (c, r) => c.get(String(r.key)),
  })
  @ApiOperation({ summary: 'Create a retention policy (version 1)' })
  async create(@Body() dto: CreatePolicyDto) {
    return policyView(await this.policies.create(dto));
  }

  @Get()
  @ApiPage(PolicyResponse)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Retention policies, by key' })
  async list(@Query() q: PolicyListQuery) {
    const cursor = decodeCursor<{ key: string }>(q.cursor, ['key']);
    const active = q.active === undefined ? undefined : q.active === 'true';
    const rows = await this.policies.list(cursor?.key, q.limit + 1, active);
    return pageOf(rows, q.limit, policyView, (p) => ({ key: p.key }));
  }

  @Get(':key')
  @ApiOkResponse({ type: PolicyResponse })
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'A retention policy by key' })
  async get(@Param('key') key: string) {
    return policyView(await this.policies.get(key));
  }

  @Patch(':key')
  @ApiOkResponse({ type: PolicyResponse })
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Change a policy: a new version, audited; the key is immutable' })
  async update(@Param('key') key: string, @Body() dto: UpdatePolicyDto) {
    return policyView(await this.policies.update(key, dto));
  }

  @Get(':key/versions')
  @ApiPage(PolicyVersionResponse)
  @RequireScopes('retention:manage')
  @ApiOperation({ summary: 'Every version of a policy, newest first: what it said, who changed what, when' })
  async versions(@Param('key') key: string, @Query() q: ListQuery) {
    const cursor = decodeCursor<{ version: number }>(q.cursor, ['version']);
    const rows = await this.policies.versions(key, cursor?.version, q.limit + 1);
    return pageOf(rows, q.limit, policyVersionView, (v) => ({ version: v.version }));
  }
}
