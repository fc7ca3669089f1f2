import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka';
import { MongoHealthIndicator } from '@app/persistence';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
  ) {}

  /** Liveness: the process answers. Dependencies are /ready's business, so a broker outage restarts nothing. */
  @Get('health')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: Kafka and MongoDB both answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.kafka.isHealthy(), () => this.mongo.isHealthy()]);
  }
}
