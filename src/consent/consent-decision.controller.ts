import { AuditService } from '../audit';
import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { hasScope, RequireScopes } from '../common/auth/scopes';
import { AudienceService } from './audience.service';
import { AudienceQuery, BatchDecisionDto, DecisionQuery } from './consent-decision.dto';
import { ConsentDecisionService } from './consent-decision.service';

@ApiTags('consent-decision')
@Controller('v1')
export class ConsentDecisionController {
  private readonly logger = new Logger(ConsentDecisionController.name);

  constructor(
    private readonly decisions: ConsentDecisionService,
    private readonly audience: AudienceService,
    private readonly audit: AuditService,
  ) {}

  @Get('consents/check')
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'May this subject be contacted for this purpose on this channel now?' })
  check(@Query() q: DecisionQuery) {
    return this.decisions.checkOne(q);
  }

  @Post('consents/check')
  @HttpCode(200)
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'Up to 10,000 decisions in one call, answered in input order' })
  checkBatch(@Body() dto: BatchDecisionDto) {
    return this.decisions.checkBatch(dto);
  }

  @Get('purposes/:key/audience')
  @RequireScopes('consent:read')
  @ApiProduces('application/x-ndjson')
  @ApiOperation({ summary: 'Every subject that may be contacted now, streamed as NDJSON' })
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
