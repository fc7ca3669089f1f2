import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry } from './metrics';

/** Prometheus' scrape endpoint; the API leaves it out of its OpenAPI document. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
