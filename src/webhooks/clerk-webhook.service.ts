import {
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
// The verifier alone: the package's index also loads its whole API client (about 250 modules, 0.1 s of every start).
import { Webhook } from 'svix/dist/webhook';
import { type AppConfig } from '../config/app-config';
import { type Role, ROLES } from '../users/roles';
import { InjectConfig } from '../config/config.module';
import { inputProblem, MAX_INPUT_DEPTH, storableJson } from '../common/input-guard';
import { RetryLaterException } from '../common/unavailable';
import { Metrics } from '../observability/metrics';
import { UsersService } from '../users/users.service';
import { ClerkDeletedUserData, ClerkEvent, ClerkUserData, type WebhookReceipt } from './clerk-webhook.dto';
import { WebhookEvent } from './webhook-event.entity';

class InvalidPayload extends Error {}

// The unique index on (product, svix_id): a violation of this one, and only this one, is a replay.
const DELIVERY_KEY = 'webhook_events_product_svix_id_unique';

function validated<T extends object>(cls: new () => T, plain: unknown): T {
  const value = plainToInstance(cls, plain);
  const errors = typeof plain === 'object' && plain !== null ? validateSync(value, { forbidUnknownValues: true }) : [];
  if (typeof plain !== 'object' || plain === null || errors.length > 0) {
    const detail = errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }));
    throw new InvalidPayload(detail.join('; ') || 'payload is not an object');
  }
  return value;
}

@Injectable()
export class ClerkWebhookService {
  private readonly logger = new Logger(ClerkWebhookService.name);
  private readonly webhook?: Webhook;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly em: EntityManager,
    private readonly users: UsersService,
    private readonly metrics: Metrics,
  ) {
    this.webhook = config.clerk.webhookSecret ? new Webhook(config.clerk.webhookSecret) : undefined;
  }

  async receive(rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>): Promise<WebhookReceipt> {
    if (!this.webhook) {
      throw new ServiceUnavailableException('Clerk webhooks are not configured for this product');
    }
    const svixId = headers['svix-id'];
    const signed = {
      'svix-id': typeof svixId === 'string' ? svixId : '',
      'svix-timestamp': String(headers['svix-timestamp'] ?? ''),
      'svix-signature': String(headers['svix-signature'] ?? ''),
    };
    const body = rawBody?.toString('utf8') ?? '';
    let payload: unknown;
    let parseError: string | undefined;
    try {
      // Checks the signature over the raw bytes and the timestamp (5 minutes either way).
      payload = this.webhook.verify(body, signed);
    } catch (error) {
      if (!(error instanceof SyntaxError)) {
        this.metrics.webhookDelivery(undefined, 'invalid_signature');
        throw new UnauthorizedException('Invalid webhook signature');
      }
      // Signed by Clerk but not JSON: kept as text and marked failed.
      payload = { raw: body.slice(0, 10_000) };
      parseError = 'payload is not valid JSON';
    }
    // Class-transformer recurses: a signed but absurdly deep payload is kept as text and marked failed.
    if (parseError === undefined && inputProblem(payload, false) !== undefined) {
      payload = { raw: body.slice(0, 10_000) };
      parseError = `payload is nested deeper than ${MAX_INPUT_DEPTH} levels`;
    }
    // Clerk signed it, so it is kept: what PostgreSQL cannot store (NUL, unpaired surrogates) is cleaned.
    payload = storableJson(payload);
    if (signed['svix-id'].length === 0 || signed['svix-id'].length > 255) {
      throw new UnauthorizedException('Invalid webhook signature');
    }

    const outcome = await this.store(signed['svix-id'], payload, parseError);
    this.metrics.webhookDelivery(payload, outcome.duplicate ? 'duplicate' : outcome.status);
    if (!outcome.duplicate && outcome.status === 'failed') {
      throw new UnprocessableEntityException(`Webhook payload rejected: ${outcome.error ?? 'invalid'}`);
    }
    return { received: true, duplicate: outcome.duplicate };
  }

  private async store(
    svixId: string,
    payload: unknown,
    parseError: string | undefined,
  ): Promise<{ duplicate: boolean; status: WebhookEvent['status']; error: string | null }> {
    try {
      return await this.em.transactional(async (em) => {
        const seen = await em.findOne(WebhookEvent, { svixId });
        if (seen) {
          return { duplicate: true, status: seen.status, error: seen.error };
        }
        // Any JSON is signed and stored, `null` included (kept as text: the column holds no SQL null).
        const type =
          typeof payload === 'object' && payload !== null && typeof (payload as { type?: unknown }).type === 'string'
            ? (payload as { type: string }).type
            : null;
        const event = new WebhookEvent(svixId, type?.slice(0, 100) ?? null, payload ?? { raw: 'null' });
        em.persist(event);
        // Stored first and in the same transaction: a delivery is processed at most once.
        await em.flush();
        try {
          if (parseError) {
            throw new InvalidPayload(parseError);
          }
          event.status = await this.process(payload);
        } catch (error) {
          if (!(error instanceof InvalidPayload)) {
            throw error;
          }
          event.status = 'failed';
          event.error = error.message;
        }
        await em.flush();
        return { duplicate: false, status: event.status, error: event.error };
      });
    } catch (error) {
      // The same delivery arriving twice at once: the other request stored it. Only the
      // delivery's own key says so; any other unique violation is a real error.
      if (error instanceof UniqueConstraintViolationException && (error as { constraint?: unknown }).constraint === DELIVERY_KEY) {
        const seen = await this.em.fork().findOne(WebhookEvent, { svixId });
        if (!seen) {
          // The other attempt did not commit after all: let Clerk send it again.
          throw new RetryLaterException('The delivery could not be stored; please retry');
        }
        return { duplicate: true, status: seen.status, error: seen.error };
      }
      throw error;
    }
  }

  private async process(payload: unknown): Promise<WebhookEvent['status']> {
    const event = validated(ClerkEvent, payload);
    switch (event.type) {
      case 'user.created':
      case 'user.updated': {
        const data = validated(ClerkUserData, event.data);
        const primary = data.email_addresses.find((address) => address.id === data.primary_email_address_id);
        const role = data.public_metadata?.role;
        const { applied } = await this.users.syncFromClerk({
          clerkUserId: data.id,
          email: primary?.email_address ?? null,
          firstName: data.first_name ?? null,
          lastName: data.last_name ?? null,
          role: ROLES.includes(role as Role) ? (role as Role) : 'user',
          updatedAt: data.updated_at === undefined ? undefined : new Date(data.updated_at),
        });
        // Not applied: the user was deleted, or Clerk has sent a newer profile already.
        return applied ? 'processed' : 'ignored';
      }
      case 'user.deleted': {
        const data = validated(ClerkDeletedUserData, event.data);
        await this.users.deleteFromClerk(data.id);
        return 'processed';
      }
      default:
        this.logger.log(`ignored Clerk event type ${event.type}`);
        return 'ignored';
    }
  }
}
