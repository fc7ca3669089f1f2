import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '@app/config';
import { ApiTokenRepository } from './api-token/api-token.repository';
import { API_TOKEN_MODEL, ApiTokenSchema } from './api-token/api-token.schema';
import { DeliveryAttemptRepository } from './delivery-attempt/delivery-attempt.repository';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptSchema } from './delivery-attempt/delivery-attempt.schema';
import { DeliveryTaskRepository } from './delivery-task/delivery-task.repository';
import { DELIVERY_TASK_MODEL, DeliveryTaskSchema } from './delivery-task/delivery-task.schema';
import { DeliveryRepository } from './delivery/delivery.repository';
import { DELIVERY_MODEL, DeliverySchema } from './delivery/delivery.schema';
import { EventRepository } from './event/event.repository';
import { EVENT_MODEL, EventSchema } from './event/event.schema';
import { MIGRATION_MODEL, MigrationSchema } from './migration/migration.schema';
import { PartitionLeaseRepository } from './partition-lease/partition-lease.repository';
import { PARTITION_LEASE_MODEL, PartitionLeaseSchema } from './partition-lease/partition-lease.schema';
import { MongoClientWatchdog } from './mongo-client-watchdog';
import { MongoHealthIndicator } from './mongo-health.indicator';
import { RateLimitWindowRepository } from './rate-limit-window/rate-limit-window.repository';
import { RATE_LIMIT_WINDOW_MODEL, RateLimitWindowSchema } from './rate-limit-window/rate-limit-window.schema';
import { RetentionRepository } from './retention/retention.repository';
import { SchemaMigrator } from './schema-migrator';
import { SecretCipher } from './secret-encryption/secret-cipher';
import { secretCipherProvider } from './secret-encryption/secret-cipher.provider';
import { RetryJobRepository } from './retry-job/retry-job.repository';
import { RETRY_JOB_MODEL, RetryJobSchema } from './retry-job/retry-job.schema';
import { RetryJobSlotRepository } from './retry-job/retry-job-slot.repository';
import { RETRY_JOB_SLOT_MODEL, RetryJobSlotSchema } from './retry-job/retry-job-slot.schema';
import { TenantLimitsRepository } from './tenant-limits/tenant-limits.repository';
import { TENANT_LIMITS_MODEL, TenantLimitsSchema } from './tenant-limits/tenant-limits.schema';
import { WebhookSecretResealer } from './webhook/webhook-secret-resealer';
import { WebhookRepository } from './webhook/webhook.repository';
import { WEBHOOK_MODEL, WebhookSchema } from './webhook/webhook.schema';

/** Every model of the service, in one list: the apps, the schema migrator and the tests register these. */
export const persistenceModels = [
  { name: API_TOKEN_MODEL, schema: ApiTokenSchema },
  { name: WEBHOOK_MODEL, schema: WebhookSchema },
  { name: EVENT_MODEL, schema: EventSchema },
  { name: DELIVERY_MODEL, schema: DeliverySchema },
  { name: DELIVERY_TASK_MODEL, schema: DeliveryTaskSchema },
  { name: DELIVERY_ATTEMPT_MODEL, schema: DeliveryAttemptSchema },
  { name: PARTITION_LEASE_MODEL, schema: PartitionLeaseSchema },
  { name: RETRY_JOB_MODEL, schema: RetryJobSchema },
  { name: RETRY_JOB_SLOT_MODEL, schema: RetryJobSlotSchema },
  { name: MIGRATION_MODEL, schema: MigrationSchema },
  { name: RATE_LIMIT_WINDOW_MODEL, schema: RateLimitWindowSchema },
  { name: TENANT_LIMITS_MODEL, schema: TenantLimitsSchema },
];

const repositories = [
  ApiTokenRepository,
  WebhookRepository,
  EventRepository,
  DeliveryRepository,
  DeliveryTaskRepository,
  DeliveryAttemptRepository,
  PartitionLeaseRepository,
  RetryJobRepository,
  RetryJobSlotRepository,
  RetentionRepository,
  WebhookSecretResealer,
  RateLimitWindowRepository,
  TenantLimitsRepository,
];

@Global()
@Module({
  imports: [
    TerminusModule,
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.get('MONGODB_URI'),
        // Fail a query fast while the database is away, so the API answers 503 instead of hanging.
        serverSelectionTimeoutMS: 3_000,
        bufferCommands: false,
        // Collections and indexes are made by SchemaMigrator, only when missing.
        autoIndex: false,
        autoCreate: false,
        maxPoolSize: config.get('MONGODB_MAX_POOL_SIZE'),
        // Heartbeats by polling: with the default streaming monitor, a client whose server restarted
        // under load stopped checking it and kept failing with the old connections' errors for minutes
        // (the database-outage fault test); polling reconnects within a heartbeat.
        serverMonitoringMode: 'poll',
      }),
    }),
    MongooseModule.forFeature(persistenceModels),
  ],
  providers: [...repositories, secretCipherProvider, MongoHealthIndicator, MongoClientWatchdog, SchemaMigrator],
  exports: [...repositories, SecretCipher, MongoHealthIndicator],
})
export class PersistenceModule {}
