import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { AppConfig } from '@app/config';

/**
 * Structured JSON logs, to stdout or LOG_FILE. Secrets (bearer tokens, signing secrets) are redacted
 * wherever they appear.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
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
})
export class LoggingModule {}
