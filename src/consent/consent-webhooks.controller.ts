import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../common/auth/scopes';
import { Idempotent } from '../idempotency';
import { CreateConsentSubscriptionDto, subscriptionView } from './consent-webhooks.dto';
import { ConsentWebhooksService } from './consent-webhooks.service';

@ApiTags('consent-subscriptions')
@Controller('v1/consent-subscriptions')
export class ConsentWebhooksController {
  constructor(private readonly webhooks: ConsentWebhooksService) {}

  @Post()
  @RequireScopes('consent:write')
  @Idempotent()
  @ApiOperation({ summary: 'Receive signed consent.changed webhooks (x-zgoda-signature)' })
  async create(@Body() dto: CreateConsentSubscriptionDto) {
    return subscriptionView(await this.webhooks.create(dto));
  }

  @Get()
  @RequireScopes('consent:write')
  async list() {
    return { items: (await this.webhooks.list()).map(subscriptionView) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('consent:write')
  async disable(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    await this.webhooks.disable(id);
  }
}
