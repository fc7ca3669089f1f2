import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfigModule } from '@app/config';
import { ConsumerGroup } from '@app/contracts';
import { ConsumerGroupLagModule, KafkaModule } from '@app/kafka';
import { AppHealth, LoggingModule, OpsListener, TracingModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { DeliveryCommandConsumer } from './dispatch/delivery-command.consumer';
import { AttemptRecorder } from './record-attempts/attempt-recorder';
import { DeliveryPolicy } from './policy/delivery-policy';
import { DispatchCommandsUseCase } from './dispatch/dispatch-commands.usecase';
import { DispatcherInstance } from './dispatch/dispatcher-instance';
import { PartitionLeases } from './dispatch/partition-leases';
import { SendAttempt } from './dispatch/send-attempt';
import { FifoQueue } from './fifo/fifo-queue';
import { DispatcherHealth } from './health/dispatcher-health';
import { HealthController } from './health/health.controller';
import { WebhookHttpClient } from './http/webhook-http-client';
import { DeliveryLogConsumer } from './record-attempts/delivery-log.consumer';
import { PersistDeliveryLogsUseCase } from './record-attempts/persist-delivery-logs.usecase';
import { DispatcherMetrics } from './metrics/dispatcher-metrics';
import { DispatcherGroupSize } from './rate-limit/dispatcher-group-size';
import { EmitEndpointDisabledUseCase } from './operational-events/emit-endpoint-disabled.usecase';
import { PurgeExpiredUseCase } from './retention/purge-expired.usecase';
import { RetentionPolicy } from './retention/retention-policy';
import { RetentionRunner } from './retention/retention-runner';
import { RetryScheduler } from './retry-schedule/retry-scheduler';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule.forRoot({ requestLogs: false }),
    TracingModule.forRoot('webhook-dispatcher'),
    PersistenceModule,
    KafkaModule,
    TerminusModule,
    ConsumerGroupLagModule.forGroups(ConsumerGroup.Dispatcher, ConsumerGroup.LogWriter),
  ],
  controllers: [HealthController],
  providers: [
    DispatcherHealth,
    { provide: AppHealth, useExisting: DispatcherHealth },
    OpsListener,
    DeliveryPolicy,
    DispatcherMetrics,
    WebhookHttpClient,
    SendAttempt,
    AttemptRecorder,
    EmitEndpointDisabledUseCase,
    FifoQueue,
    DispatcherGroupSize,
    DispatchCommandsUseCase,
    PartitionLeases,
    DispatcherInstance,
    DeliveryCommandConsumer,
    PersistDeliveryLogsUseCase,
    DeliveryLogConsumer,
    RetryScheduler,
    RetentionPolicy,
    PurgeExpiredUseCase,
    RetentionRunner,
  ],
})
export class DispatcherModule {}
