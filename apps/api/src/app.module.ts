import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfigModule } from '@app/config';
import { KafkaModule } from '@app/kafka';
import { LoggingModule, TracingModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { ConsoleModule } from './console/console.module';
import { EventIntakeModule } from './event-intake/event-intake.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { OperationalWebhooksModule } from './operational-webhooks/operational-webhooks.module';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { StrictValidationPipe } from './http/strict-validation.pipe';
import { RetriesModule } from './retries/retries.module';
import { RetryJobsModule } from './retry-jobs/retry-jobs.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WhoamiModule } from './whoami/whoami.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule.forRoot({ requestLogs: true }),
    TracingModule.forRoot('webhook-api'),
    PersistenceModule,
    KafkaModule,
    HealthModule,
    // Order matters: routes register in module order, and GET /v1/webhooks/events must come before
    // WebhooksModule's GET /v1/webhooks/{webhookId}, which would otherwise take "events" for an id.
    EventsModule,
    RetriesModule,
    RetryJobsModule,
    WebhooksModule,
    OperationalWebhooksModule,
    EventIntakeModule,
    ConsoleModule,
    WhoamiModule,
  ],
  providers: [
    { provide: APP_PIPE, useClass: StrictValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
