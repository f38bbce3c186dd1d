import { AuditService } from '../audit';
import { Body, Controller, Get, HttpCode, Logger, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { BatchDecisionResponse, DecisionResponse, textContent } from './consent-api.responses';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { hasScope, RequireScopes } from '../common/auth/scopes';
import { AudienceService } from './audience.service';
import { AudienceQuery, BatchDecisionDto, DecisionQuery } from './consent-decision.dto';
import { ConsentDecisionRecord } from './consent-decision-record.entity';
import { ConsentDecisionService, recordAs } from './consent-decision.service';
import { DecisionLog } from './decision-log.service';
import { DecisionRecordView } from './consent-records.responses';
import { BATCH_EXAMPLE, BATCH_REQUEST_EXAMPLE, CHECK_EXAMPLE } from './consent-api.examples';

const decisionView = (d: ConsentDecisionRecord): DecisionRecordView => ({
  id: d.id,
  kind: d.kind,
  decidedAt: d.decidedAt.toISOString(),
  principal: d.principal,
  purpose: d.purposeKey,
  channel: d.channel,
  ...(d.kind === 'single'
    ? { subjectId: d.subjectId, allowed: d.allowed, reason: d.reason, consentId: d.consentEventId }
    : { total: d.total, allowed: d.allowedCount, denied: d.total - d.allowedCount }),
});

@ApiTags('consent-decision')
@Controller('v1')
export class ConsentDecisionController {
  private readonly logger = new Logger(ConsentDecisionController.name);

  constructor(
    private readonly decisions: ConsentDecisionService,
    private readonly audience: AudienceService,
    private readonly audit: AuditService,
    private readonly log: DecisionLog,
  ) {}

  @Get('consents/check')
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'May this subject be contacted for this purpose on this channel now?' })
  @ApiOkResponse({ type: DecisionResponse, example: CHECK_EXAMPLE })
  check(@Query() q: DecisionQuery, @CurrentPrincipal() principal: Principal) {
    return this.decisions.checkOne(q, recordAs(q.record, principal));
  }

  @Post('consents/check')
  @HttpCode(200)
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'Up to 10,000 decisions in one call, answered in input order' })
  @ApiBody({ type: BatchDecisionDto, examples: { emails: { value: BATCH_REQUEST_EXAMPLE } } })
  @ApiOkResponse({ type: BatchDecisionResponse, example: BATCH_EXAMPLE })
  checkBatch(@Body() dto: BatchDecisionDto, @CurrentPrincipal() principal: Principal) {
    return this.decisions.checkBatch(dto, recordAs(dto.record, principal));
  }

  @Get('decisions/:id')
  @ApiOkResponse({ type: DecisionRecordView })
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'A recorded decision: who asked, when, about what, and the answer (a batch: its counts)' })
  async decision(@Param('id', new ParseUUIDPipe()) id: string) {
    const d = await this.log.find(id);
    if (!d) throw new ProblemError('decision_not_found', 'No recorded decision with this id.');
    return decisionView(d);
  }

  @Get('decisions/:id/results')
  @RequireScopes('consent:read')
  @ApiProduces('application/x-ndjson')
  @ApiOperation({ summary: "A recorded batch's answers, one NDJSON line per input position (n from 0)" })
  @ApiOkResponse(
    textContent('application/x-ndjson', 'One JSON object per line: { n, subjectId, allowed, reason, consentId }'),
  )
  async decisionResults(@Param('id', new ParseUUIDPipe()) id: string, @Res() reply: FastifyReply): Promise<void> {
    const d = await this.log.find(id);
    if (!d || d.kind !== 'batch') throw new ProblemError('decision_not_found', 'No recorded batch with this id.');
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'application/x-ndjson; charset=utf-8',
    });
    try {
      for await (const line of this.log.results(id)) {
        if (raw.destroyed) break;
        if (!raw.write(`${JSON.stringify(line)}\n`)) await drained(raw);
      }
      raw.end();
    } catch (e) {
      this.logger.error({ err: { name: (e as Error).name } }, 'decision results stream failed');
      raw.destroy();
    }
  }

  @Get('purposes/:key/audience')
  @RequireScopes('consent:read')
  @ApiProduces('application/x-ndjson')
  @ApiOperation({ summary: 'Every subject that may be contacted now, streamed as NDJSON' })
  @ApiOkResponse(
    textContent(
      'application/x-ndjson',
      'One JSON object per line: { subjectId, email? (email channel), phone? (phone channels) }; ' +
        'contacts only for keys with subjects:read',
    ),
  )
  async stream(
    @Param('key') key: string,
    @Query() q: AudienceQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const withContacts = hasScope(principal.scopes, ['subjects:read']);
    const lines = await this.audience.open(key, q.channel, withContacts);
    // With contacts the stream carries decrypted e-mails and phones of everyone in it: the export is on record.
    if (withContacts) {
      await this.audit
        .appendRead([
          {
            action: 'consent.audience_exported',
            targetType: 'purpose',
            targetId: key,
            data: { channel: q.channel, contacts: true },
          },
        ])
        .catch(async (e: unknown) => {
          await lines.return(undefined);
          throw e;
        });
    }
    // Written to the socket directly, page by page, waiting for 'drain': memory stays flat however slow
    // the client reads.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    try {
      for await (const line of lines) {
        if (raw.destroyed) break;
        if (!raw.write(line)) await drained(raw);
      }
      raw.end();
    } catch (e) {
      // Headers are gone: the only honest signal left is a broken stream.
      this.logger.error({ err: { name: (e as Error).name } }, 'audience stream failed');
      raw.destroy();
    } finally {
      await lines.return(undefined);
    }
  }
}

function drained(raw: NodeJS.WritableStream & { off: (e: string, f: () => void) => void }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.once('drain', done);
    raw.once('close', done);
  });
}
