import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { KafkaModule } from '@app/kafka';
import { LoggingModule, MetricsController } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { HealthModule } from './health/health.module';

@Module({
  imports: [AppConfigModule, LoggingModule, PersistenceModule, KafkaModule, HealthModule],
  controllers: [MetricsController],
})
export class AppModule {}
