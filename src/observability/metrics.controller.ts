import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipRateLimit } from '../rate-limit/rate-limit.decorator';
import { Metrics } from './metrics';

// Served here only when METRICS_PORT is unset (see ObservabilityModule).
@ApiTags('health')
@SkipRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: "Prometheus text format; every series is labelled with this process's product", type: String })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
