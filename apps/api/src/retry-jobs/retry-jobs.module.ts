import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OperationalEventsModule } from '../operational-events/operational-events.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { BulkRetryRunner } from './bulk-retry.runner';
import { RetryJobsController } from './retry-jobs.controller';
import { CancelRetryJobUseCase } from './usecases/cancel-retry-job/cancel-retry-job.usecase';
import { ClaimRetryJobUseCase } from './usecases/claim-retry-job/claim-retry-job.usecase';
import { GetRetryJobUseCase } from './usecases/get-retry-job/get-retry-job.usecase';
import { ListRetryJobsUseCase } from './usecases/list-retry-jobs/list-retry-jobs.usecase';
import { RunBulkRetryUseCase } from './usecases/run-bulk-retry/run-bulk-retry.usecase';
import { StartBulkRetryUseCase } from './usecases/start-bulk-retry/start-bulk-retry.usecase';

/**
 * Bulk retries: POST /v1/webhooks/events/retry starts one, GET /v1/webhooks/retry-jobs(/{jobId}) follows
 * them, POST /v1/webhooks/retry-jobs/{jobId}/cancel stops one; every API process runs jobs (BulkRetryRunner).
 */
@Module({
  imports: [AuthModule, WebhooksModule, OperationalEventsModule],
  controllers: [RetryJobsController],
  providers: [
    StartBulkRetryUseCase,
    ClaimRetryJobUseCase,
    RunBulkRetryUseCase,
    GetRetryJobUseCase,
    ListRetryJobsUseCase,
    CancelRetryJobUseCase,
    BulkRetryRunner,
  ],
})
export class RetryJobsModule {}
