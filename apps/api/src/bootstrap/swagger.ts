import { HttpStatus, INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { scopeAllows } from '../auth/token-scope';
import { VERIFIED_TOKEN_TTL_MS } from '../auth/verified-token-cache';
import { ERROR_DESCRIPTIONS, ErrorBodyDto } from '../http/api-docs.decorators';

const DESCRIPTION = [
  'Accepts events, delivers them to your webhook endpoints (signed per Standard Webhooks), and lets you',
  'inspect and retry deliveries.',
  '',
  'Every /v1 route needs `Authorization: Bearer <token>`. Each tenant (all its tokens together) has a limit per',
  'minute for POST /v1/webhooks/events and another for every other route; answers carry `RateLimit-Limit`,',
  '`RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`, and a 429 carries `Retry-After`.',
  'A token may expire (401 from then on) and may be read-only: then any method but GET and HEAD answers 403.',
  `A revoked token is refused within ${VERIFIED_TOKEN_TTL_MS / 1000} s (each API process trusts a token it checked for that long).`,
  'Successes are `{"success": true, "data": ...}`; errors are `{"message": "<one sentence>"}`.',
  'Lists are newest first, paginated with `limit` (1-100, default 20) and the opaque `cursor` from `nextCursor`.',
].join('\n');

/** OpenAPI at /docs (UI) and /docs-json (document); both public. */
export function setUpSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Webhook delivery API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'whk_<tokenId>_<secret>' })
    .build();
  const document = documentReadOnlyRefusals(SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] }));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/** The 403 a read-only token gets, on every /v1 operation whose method it may not use (see scopeAllows). */
function documentReadOnlyRefusals(document: OpenAPIObject): OpenAPIObject {
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (scopeAllows('read-only', method.toUpperCase()) || !operation?.responses) continue;
      operation.responses[HttpStatus.FORBIDDEN] = {
        description: ERROR_DESCRIPTIONS[HttpStatus.FORBIDDEN]!,
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
      };
    }
  }
  return document;
}
