import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka';
import { AppHealth, HealthReport, reportOf } from '@app/observability';
import { MongoHealthIndicator } from '@app/persistence';
import { DeliveryCommandConsumer } from '../dispatch/delivery-command.consumer';

@Injectable()
export class DispatcherHealth extends AppHealth {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
    private readonly commands: DeliveryCommandConsumer,
  ) {
    super();
  }

  /**
   * Liveness: the process answers. A broker or database outage is /ready's business, so it restarts
   * nothing; a command consumer that cannot recover ends the process itself (createManagedConsumer).
   */
  live(): Promise<HealthReport> {
    return reportOf(() => this.health.check([]));
  }

  /** Readiness: Kafka, MongoDB and the command consumer; a dispatcher that cannot deliver is not ready. */
  ready(): Promise<HealthReport> {
    return reportOf(() =>
      this.health.check([
        () => this.kafka.isHealthy(),
        () => this.mongo.isHealthy(),
        () => {
          const indicator = this.indicators.check('consumer');
          return this.commands.isRunning ? indicator.up() : indicator.down({ message: 'command consumer not running' });
        },
      ]),
    );
  }
}
