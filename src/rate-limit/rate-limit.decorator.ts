import { SetMetadata } from '@nestjs/common';
import type { RateLimitName } from '../config/ops.config';

export const RATE_LIMIT_KEY = 'rate-limit';

/**
 * Which limit a route counts against (RATE_LIMIT_<NAME>). Without it: `read`/`write` for
 * signed-in routes (by method), `public` for anonymous ones.
 */
export const RateLimit = (name: RateLimitName): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_KEY, name);

/** Probes and metrics: never limited. */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_KEY, 'none');
