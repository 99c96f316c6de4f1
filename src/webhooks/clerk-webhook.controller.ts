import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { WebhookReceipt } from './clerk-webhook.dto';
import { ClerkWebhookService } from './clerk-webhook.service';

@ApiTags('webhooks')
@RateLimit('webhook')
@Controller('v1/webhooks')
export class ClerkWebhookController {
  constructor(private readonly webhooks: ClerkWebhookService) {}

  // The body arrives as raw bytes (see configureApp): the signature is over exactly those bytes.
  @Post('clerk')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookReceipt })
  receive(@Req() request: Request, @Headers() headers: Record<string, string | string[] | undefined>): Promise<WebhookReceipt> {
    return this.webhooks.receive(Buffer.isBuffer(request.body) ? request.body : undefined, headers);
  }
}
