import { Body, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../http/api-docs.decorators';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { BulkRetryDto } from './dtos/bulk-retry.dto';
import { BulkRetryAcceptedDto, RetryJobDto } from './dtos/retry-job.dto';
import { GetRetryJobUseCase } from './usecases/get-retry-job/get-retry-job.usecase';
import { StartBulkRetryUseCase } from './usecases/start-bulk-retry/start-bulk-retry.usecase';

@V1Controller('webhooks', 'retry-jobs')
export class RetryJobsController {
  constructor(
    private readonly startBulkRetry: StartBulkRetryUseCase,
    private readonly getRetryJob: GetRetryJobUseCase,
  ) {}

  @Post('events/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Retry many events',
    description:
      'Starts a background job that queues a manual retry for every event of the tenant matching the filter ' +
      '(newest first, at most BULK_RETRY_MAX_EVENTS). Follow it with GET /v1/webhooks/retry-jobs/{jobId}.',
  })
  @ApiEnvelope(BulkRetryAcceptedDto, HttpStatus.ACCEPTED)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  start(@CurrentPrincipal() principal: Principal, @Body() body: BulkRetryDto): Promise<BulkRetryAcceptedDto> {
    return this.startBulkRetry.execute({ tenantId: principal.tenantId, tokenId: principal.tokenId, filter: body });
  }

  @Get('retry-jobs/:jobId')
  @ApiOperation({ summary: 'Get the progress of a bulk retry' })
  @ApiEnvelope(RetryJobDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('jobId') jobId: string): Promise<RetryJobDto> {
    return this.getRetryJob.execute({ tenantId: principal.tenantId, jobId });
  }
}
