import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka';
import { MongoHealthIndicator } from '@app/persistence';
import { DeliveryCommandConsumer } from '../commands/delivery-command.consumer';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
    private readonly commands: DeliveryCommandConsumer,
  ) {}

  /** Kafka, MongoDB and the command consumer; a dispatcher that cannot deliver is not healthy. */
  @Get(['health', 'ready'])
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.kafka.isHealthy(),
      () => this.mongo.isHealthy(),
      () => {
        const indicator = this.indicators.check('consumer');
        return this.commands.isRunning ? indicator.up() : indicator.down({ message: 'command consumer not running' });
      },
    ]);
  }
}
