import { Body, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Page } from '@app/persistence';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../http/api-docs.decorators';
import { PageQueryDto } from '../http/page-query.dto';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { BulkRetryDto } from './dtos/bulk-retry.dto';
import { BulkRetryAcceptedDto, RetryJobDto } from './dtos/retry-job.dto';
import { CancelRetryJobUseCase } from './usecases/cancel-retry-job/cancel-retry-job.usecase';
import { GetRetryJobUseCase } from './usecases/get-retry-job/get-retry-job.usecase';
import { ListRetryJobsUseCase } from './usecases/list-retry-jobs/list-retry-jobs.usecase';
import { StartBulkRetryUseCase } from './usecases/start-bulk-retry/start-bulk-retry.usecase';

@V1Controller('webhooks', 'retry-jobs')
export class RetryJobsController {
  constructor(
    private readonly startBulkRetry: StartBulkRetryUseCase,
    private readonly getRetryJob: GetRetryJobUseCase,
    private readonly listRetryJobs: ListRetryJobsUseCase,
    private readonly cancelRetryJob: CancelRetryJobUseCase,
  ) {}

  @Post('events/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Retry many events',
    description:
      'Starts a background job that queues a manual retry for every event of the tenant matching the filter ' +
      '(newest first, at most BULK_RETRY_MAX_EVENTS). At most BULK_RETRY_JOBS_PER_TENANT jobs of a tenant run ' +
      'at once; a job beyond them answers `queued` and starts when one ends. The job is kept in the database ' +
      'and survives the API process that started it. Follow it with GET /v1/webhooks/retry-jobs/{jobId}.',
  })
  @ApiEnvelope(BulkRetryAcceptedDto, HttpStatus.ACCEPTED)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  start(@CurrentPrincipal() principal: Principal, @Body() body: BulkRetryDto): Promise<BulkRetryAcceptedDto> {
    return this.startBulkRetry.execute({ tenantId: principal.tenantId, tokenId: principal.tokenId, filter: body });
  }

  @Get('retry-jobs')
  @ApiOperation({ summary: 'List bulk retry jobs, newest first' })
  @ApiPageEnvelope(RetryJobDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<RetryJobDto>> {
    return this.listRetryJobs.execute({ tenantId: principal.tenantId, limit: query.limit, cursor: query.cursor });
  }

  @Post('retry-jobs/:jobId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a bulk retry',
    description:
      'Stops a `queued` or `running` job: nothing more is queued once its current page (at most ' +
      'BULK_RETRY_PAGE_SIZE events) is published; events queued before are still delivered. Answers the job, ' +
      '`cancelled`; a job that already completed or failed is a 409.',
  })
  @ApiEnvelope(RetryJobDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  cancel(@CurrentPrincipal() principal: Principal, @UuidParam('jobId') jobId: string): Promise<RetryJobDto> {
    return this.cancelRetryJob.execute({ tenantId: principal.tenantId, jobId });
  }

  @Get('retry-jobs/:jobId')
  @ApiOperation({ summary: 'Get the progress of a bulk retry' })
  @ApiEnvelope(RetryJobDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('jobId') jobId: string): Promise<RetryJobDto> {
    return this.getRetryJob.execute({ tenantId: principal.tenantId, jobId });
  }
}
