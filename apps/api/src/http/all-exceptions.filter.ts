import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ServerResponse } from 'node:http';
import { toErrorResponse } from './error-response';

/** What a 503 tells clients to wait before trying again: Kafka and MongoDB outages are usually short. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The one place errors become HTTP responses: always `{"message": "<one string>"}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, message } = toErrorResponse(exception);
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(`Unhandled error (a bug): ${describe(exception)}`, (exception as Error)?.stack);
    } else if (status >= 500) {
      this.logger.warn(`Dependency unavailable: ${describe(exception)}`);
    }
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (response.headersSent) return;
    if (status === HttpStatus.SERVICE_UNAVAILABLE)
      response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    this.adapterHost.httpAdapter.reply(response, { message }, status);
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
