import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEntryView, VerifyResult } from './audit.responses';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, pageOf } from '../common/http/pagination';
import { AuditQuery, toAuditView } from './audit.dto';
import { AuditService } from './audit.service';
import { AuditVerifier } from './audit-verifier.service';
import { ApiPage } from '../common/openapi/responses';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifier,
  ) {}

  @Get()
  @ApiPage(AuditEntryView)
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'Audit entries, newest first' })
  async list(@Query() q: AuditQuery) {
    const cursor = decodeCursor<{ seq: string }>(q.cursor, ['seq']);
    const rows = await this.audit.list({
      subjectId: q.subjectId,
      action: q.action,
      targetType: q.targetType,
      targetId: q.targetId,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      afterSeq: cursor?.seq,
      limit: q.limit + 1,
    });
    return pageOf(rows, q.limit, toAuditView, (r) => ({ seq: String(r.seq) }));
  }

  @Get('verify')
  @ApiOkResponse({ type: VerifyResult })
  @RequireScopes('audit:read')
  @ApiOperation({
    summary: 'Recompute every sealed entry and the Merkle tree against the latest recorded checkpoint',
    description: 'POST /v1/audit/verify checks against a checkpoint kept outside the database.',
  })
  verify() {
    return this.verifier.verify();
  }
}
