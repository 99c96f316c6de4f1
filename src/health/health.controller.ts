import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { SkipRateLimit } from '../rate-limit/rate-limit.decorator';
import { HealthResponse, LivenessResponse } from './health.dto';
import { HealthService } from './health.service';

@ApiTags('health')
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Readiness: 503 while the database is down or busy, and as soon as shutdown begins. */
  @ApiOperation({ summary: 'Health of the process and its database' })
  @Get()
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthResponse> {
    const result = await this.health.check();
    // A suspended product is healthy: it stays in rotation and answers its 503s itself.
    response.status(result.status === 'ok' || result.status === 'suspended' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    response.setHeader('Cache-Control', 'no-store');
    return result;
  }

  /** Liveness: the process runs and its event loop answers; no database involved. */
  @Get('live')
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return this.health.live();
  }
}
