import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { KafkaModule } from '@app/kafka';
import { LoggingModule, MetricsController } from '@app/observability';
import { PersistenceModule } from '@app/persistence';

@Module({
  imports: [AppConfigModule, LoggingModule, PersistenceModule, KafkaModule],
  controllers: [MetricsController],
})
export class DispatcherModule {}
