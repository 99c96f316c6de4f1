import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import type { Request } from 'express';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { WebhookReceipt } from './clerk-webhook.dto';
import { ClerkWebhookService } from './clerk-webhook.service';

@ApiTags('webhooks')
@RateLimit('webhook')
@Controller('v1/webhooks')
export class ClerkWebhookController {
  constructor(private readonly webhooks: ClerkWebhookService) {}

  // The body arrives as raw bytes (see createApp in app.setup.ts): the signature is over exactly those bytes.
  @ApiOperation({ summary: 'Receive a Clerk webhook delivery' })
  @Post('clerk')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookReceipt, description: 'Stored and processed; `duplicate: true` for a svix-id seen before (not processed again)' })
  @ApiHeader({ name: 'svix-id', required: true, description: 'Delivery id; a repeat is answered as a duplicate' })
  @ApiHeader({ name: 'svix-timestamp', required: true, description: 'Unix seconds; more than 5 minutes off is 401' })
  @ApiHeader({ name: 'svix-signature', required: true, description: 'Svix signature(s) over id, timestamp and the raw body' })
  @ApiBody({
    description: 'The Clerk event exactly as Clerk sends it (raw JSON; the signature covers these bytes)',
    schema: {
      type: 'object',
      required: ['type', 'data'],
      properties: {
        type: { type: 'string', example: 'user.created' },
        object: { type: 'string', example: 'event' },
        data: { type: 'object', additionalProperties: true },
      },
      additionalProperties: true,
    },
  })
  @ApiErrors(
    { status: 401, description: 'Missing or wrong signature, another product\'s secret, or a stale timestamp; nothing processed' },
    { status: 422, description: 'Signed, but the payload does not validate; stored as failed' },
    { status: 503, description: 'No webhook secret configured for this product' },
  )
  receive(@Req() request: Request, @Headers() headers: Record<string, string | string[] | undefined>): Promise<WebhookReceipt> {
    return this.webhooks.receive(Buffer.isBuffer(request.body) ? request.body : undefined, headers);
  }
}
