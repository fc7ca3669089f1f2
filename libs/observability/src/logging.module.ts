import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { AppConfig } from '@app/config';

export interface LoggingOptions {
  /**
   * Logs each HTTP request and binds a logger to it, so the lines logged while serving it carry its id.
   * Off in an app whose HTTP serves only health and metrics (never logged anyway): the bound logger lives
   * in an AsyncLocalStorage, and from the first request on that runs an async hook for every promise the
   * process makes, which cost the dispatcher's delivery loop its CPU (bench/RESULTS.md).
   */
  requestLogs: boolean;
}

/**
 * Structured JSON logs, to stdout or LOG_FILE. Secrets (bearer tokens, signing secrets) are redacted
 * wherever they appear.
 */
@Module({})
export class LoggingModule {
  static forRoot({ requestLogs }: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // No routes: no request middleware, so no AsyncLocalStorage is ever entered.
            ...(requestLogs ? {} : { forRoutes: [] }),
            pinoHttp: [
              {
                level: config.get('LOG_LEVEL'),
                autoLogging: { ignore: (request) => /^\/(health|ready|metrics)/.test(request.url ?? '') },
                redact: {
                  paths: [
                    'req.headers.authorization',
                    'req.headers.cookie',
                    '*.secret',
                    '*.signingSecret',
                    '*.token',
                    'secret',
                    'token',
                  ],
                  censor: '[redacted]',
                },
                serializers: {
                  req: (request: { method: string; url: string; id: unknown }) => ({
                    id: request.id,
                    method: request.method,
                    url: request.url,
                  }),
                },
              },
              // Written asynchronously: a synchronous write per log line cost the API about a tenth of its CPU
              // under load (bench/RESULTS.md). pino flushes what is buffered when the process exits.
              destination({ dest: config.get('LOG_FILE') || 1, sync: false, mkdir: true }),
            ],
          }),
        }),
      ],
    };
  }
}
