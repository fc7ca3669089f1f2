import { NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { authenticateBeforeBody, refusedBeforeBody } from '../auth/authenticate-before-body.middleware';
import { TokenAuthGuard } from '../auth/token-auth.guard';
import { bodyParserErrors } from '../http/body-parser-errors.middleware';
import { recordHttpMetrics } from '../http/http-metrics.middleware';
import { rejectDeepJson } from '../http/json-depth.middleware';
import { traceRequests } from '../http/trace-requests.middleware';
import { parsedBodies } from '../http/request-body-metrics';
import { isJsonContentType, requireJsonBody } from '../http/require-json-body.middleware';
import { setUpSwagger } from './swagger';

/** Nest's default parsers are off: configureApp installs exactly one (JSON, size-limited). */
export const API_APP_OPTIONS: NestApplicationOptions = { bufferLogs: true, bodyParser: false };

/**
 * Everything main.ts does to the app besides listening, so that the e2e tests run the very same HTTP
 * stack. The pipe, filter and guards are providers of AppModule and come with it.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // A hash of every JSON body, for conditional GETs no client of this API makes (static files keep theirs).
  app.set('etag', false);
  // Flat query strings only (no `?a[$gt]=`), so a query value is always a string or a list of strings.
  app.set('query parser', 'simple');
  // req.ip, which the refused-token limit counts by, from X-Forwarded-For only as far as TRUST_PROXY says.
  app.set('trust proxy', config.trustProxy);
  // First, so that a request's time includes its authentication and body parsing.
  app.use(recordHttpMetrics);
  app.use(traceRequests);
  app.use('/v1', authenticateBeforeBody(app.get(TokenAuthGuard)));
  app.use((request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) =>
    refusedBeforeBody(request) ? next() : requireJsonBody(request, response, next),
  );
  app.useBodyParser('json', {
    limit: config.get('API_BODY_LIMIT_BYTES'),
    type: (request: IncomingMessage) =>
      !refusedBeforeBody(request) && isJsonContentType(request.headers['content-type']),
    verify: () => parsedBodies.inc(),
  });
  app.use(bodyParserErrors);
  app.use(rejectDeepJson);
  if (config.get('API_DOCS_ENABLED')) setUpSwagger(app);
}
