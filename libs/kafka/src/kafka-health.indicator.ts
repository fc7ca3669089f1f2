import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka } from 'kafkajs';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/** Kafka is "up" when the cluster answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private admin: Admin | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka', timeoutMs = 3_000): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      this.admin ??= new Kafka({ ...kafkaClientConfig(this.config, 'health'), retry: { retries: 0 } }).admin();
      const admin = this.admin;
      const cluster = await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        timeoutMs,
      );
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      const admin = this.admin;
      this.admin = null;
      void admin?.disconnect().catch(() => undefined);
      return indicator.down({ message: (error as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
