import { Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskResultAnswer } from './request-api.responses';
import type { FastifyRequest } from 'fastify';
import { Public, RequireScopes } from '../common/auth/scopes';
import { TaskResults } from './fulfilment/task-results.service';
import { TaskResultDto } from './requests.dto';
import { ApiProblem } from '../common/openapi/responses';

const Id = () => new ParseUUIDPipe({ version: '4' });
export const TASK_RESULT_ROUTE = '/v1/requests/:id/tasks/:taskId/result';

@ApiTags('requests')
@Controller('v1/requests/:id/tasks/:taskId')
export class RequestTasksController {
  constructor(private readonly results: TaskResults) {}

  @Post('result')
  @ApiOkResponse({ type: TaskResultAnswer })
  @ApiProblem('invalid_signature')
  @HttpCode(200)
  // No API key: the data system proves itself with its webhook secret (x-zgoda-signature over the body).
  @Public()
  @ApiHeader({ name: 'x-zgoda-signature', required: true, description: 't=<unix>,v1=<hex hmac-sha256 of "t.body">' })
  @ApiBody({ type: TaskResultDto })
  @ApiOperation({ summary: "A data system's late answer for a task it accepted with 202" })
  callback(
    @Param('id', Id()) id: string,
    @Param('taskId', Id()) taskId: string,
    @Headers('x-zgoda-signature') signature: string | undefined,
    @Req() req: FastifyRequest,
  ) {
    return this.results.callback(id, taskId, signature, req.rawBody);
  }

  @Post('complete')
  @ApiOkResponse({ type: TaskResultAnswer })
  @HttpCode(200)
  @RequireScopes('requests:write')
  @ApiOperation({ summary: 'Record the outcome of a manual task (a system without a webhook)' })
  complete(@Param('id', Id()) id: string, @Param('taskId', Id()) taskId: string, @Body() dto: TaskResultDto) {
    return this.results.complete(id, taskId, dto);
  }
}
