import { Injectable } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka';
import { AppHealth, HealthReport, reportOf } from '@app/observability';
import { MongoHealthIndicator } from '@app/persistence';

@Injectable()
export class ApiHealth extends AppHealth {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
  ) {
    super();
  }

  /** Liveness: the process answers. Dependencies are /ready's business, so a broker outage restarts nothing. */
  live(): Promise<HealthReport> {
    return reportOf(() => this.health.check([]));
  }

  /** Readiness: Kafka and MongoDB both answer. */
  ready(): Promise<HealthReport> {
    return reportOf(() => this.health.check([() => this.kafka.isHealthy(), () => this.mongo.isHealthy()]));
  }
}
