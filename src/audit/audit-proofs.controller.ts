import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, RequireScopes } from '../common/auth/scopes';
import { ApiProblem, JwksResponse } from '../common/openapi/responses';
import { ProblemError } from '../common/problem/problem.error';
import { AuditCheckpoints } from './audit-checkpoints.service';
import { AuditProofs } from './audit-proofs.service';
import { AuditVerifier } from './audit-verifier.service';
import { AuditVerifyBody, ConsistencyQuery, ProofQuery } from './audit.dto';
import {
  AuditKeyRotated,
  CheckpointResponse,
  ConsistencyProofResponse,
  InclusionProofResponse,
  VerifyResult,
} from './audit.responses';

/**
 * The audit log proving itself (issue 16 item 2): signed checkpoints, RFC 9162 inclusion and consistency proofs, and
 * verification against a checkpoint the caller kept outside the database.
 */
@ApiTags('audit')
@Controller('v1/audit')
export class AuditProofsController {
  constructor(
    private readonly checkpoints: AuditCheckpoints,
    private readonly proofs: AuditProofs,
    private readonly verifier: AuditVerifier,
  ) {}

  @Get('checkpoints/latest')
  @ApiOkResponse({ type: CheckpointResponse })
  @ApiProblem('checkpoint_not_found')
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'The latest signed checkpoint of the audit tree' })
  async latest(): Promise<CheckpointResponse> {
    const c = await this.checkpoints.latest();
    if (!c) throw new ProblemError('checkpoint_not_found', 'No checkpoint has been signed yet.');
    return c;
  }

  @Get('checkpoints/keys')
  @ApiOkResponse({ type: JwksResponse })
  @Public()
  @ApiOperation({ summary: 'Public keys that verify audit checkpoints (EdDSA), retired ones included' })
  keys() {
    return this.checkpoints.jwks();
  }

  @Post('checkpoints/keys/rotate')
  @HttpCode(200)
  @ApiOkResponse({ type: AuditKeyRotated })
  @RequireScopes('keys:manage')
  @ApiOperation({ summary: 'Sign later checkpoints with a new key; those signed before still verify' })
  rotate(): Promise<AuditKeyRotated> {
    return this.checkpoints.rotate();
  }

  @Get('entries/:seq/proof')
  @ApiOkResponse({ type: InclusionProofResponse })
  @ApiProblem('audit_entry_not_sealed', 'tree_size_out_of_range')
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'Inclusion proof: the entry is in the tree of treeSize entries (RFC 9162 2.1.3)' })
  proof(@Param('seq') seq: string, @Query() q: ProofQuery): Promise<InclusionProofResponse> {
    if (!/^[1-9][0-9]{0,18}$/.test(seq)) throw new ProblemError('audit_entry_not_sealed', 'No such entry.');
    return this.proofs.inclusion(seq, q.treeSize);
  }

  @Get('consistency')
  @ApiOkResponse({ type: ConsistencyProofResponse })
  @ApiProblem('tree_size_out_of_range')
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'Consistency proof: the tree of `to` entries extends that of `from` (RFC 9162 2.1.4)' })
  consistency(@Query() q: ConsistencyQuery): Promise<ConsistencyProofResponse> {
    return this.proofs.consistency(q.from, q.to);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOkResponse({ type: VerifyResult })
  @ApiProblem('checkpoint_invalid')
  @RequireScopes('audit:read')
  @ApiOperation({
    summary: 'Recompute the audit log against a checkpoint kept outside the database; name the first fault',
    description:
      'Detects an entry edited or removed, the tail truncated and the log rewritten (its leaves recomputed) below ' +
      'the checkpoint. Without a checkpoint, checks against the latest one recorded in the database.',
  })
  verify(@Body() body: AuditVerifyBody): Promise<VerifyResult> {
    return this.verifier.verify(body.checkpoint?.trim());
  }
}
