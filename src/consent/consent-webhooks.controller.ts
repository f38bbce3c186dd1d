import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubscriptionList, SubscriptionView } from './consent-records.responses';
import { RequireScopes } from '../common/auth/scopes';
import { Idempotent } from '../idempotency';
import { CreateConsentSubscriptionDto, subscriptionView } from './consent-webhooks.dto';
import { ConsentWebhooksService } from './consent-webhooks.service';

@ApiTags('consent-subscriptions')
@Controller('v1/consent-subscriptions')
export class ConsentWebhooksController {
  constructor(private readonly webhooks: ConsentWebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: SubscriptionView })
  @RequireScopes('consent:write')
  // The answer holds no secret (the signing secret is the caller's own and is never answered).
  @Idempotent<ConsentWebhooksController, SubscriptionView>({
    ref: (b) => ({ id: b.id }),
    replay: async (c, r) => subscriptionView((await c.webhooks.list()).find((s) => s.id === r.id)!),
  })
  @ApiOperation({ summary: 'Receive signed consent.changed webhooks (x-zgoda-signature)' })
  async create(@Body() dto: CreateConsentSubscriptionDto) {
    return subscriptionView(await this.webhooks.create(dto));
  }

  @Get()
  @ApiOkResponse({ type: SubscriptionList })
  @ApiOperation({ summary: 'Webhook subscriptions, active and disabled' })
  @RequireScopes('consent:write')
  async list(): Promise<SubscriptionList> {
    return { items: (await this.webhooks.list()).map(subscriptionView) };
  }

  @Delete(':id')
  @ApiNoContentResponse({ description: 'Disabled' })
  @ApiOperation({ summary: 'Disable a subscription' })
  @HttpCode(204)
  @RequireScopes('consent:write')
  async disable(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    await this.webhooks.disable(id);
  }
}
