import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { setRawJsonAside } from '@app/contracts';

/**
 * The app's one ValidationPipe (registered as APP_PIPE): unknown fields are rejected, values are
 * converted to the DTO types (except @RawJson fields, kept as parsed), and the first failure becomes the
 * single error message.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(firstMessage(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A JSON array or scalar would otherwise reach class-validator as "an unknown value".
    const isDtoBody = metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object;
    if (isDtoBody && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException('Request body must be a JSON object');
    }
    if (!isDtoBody) return super.transform(value, metadata);
    const rawJson = setRawJsonAside(metadata.metatype as new () => object, value);
    const transformed: unknown = await super.transform(rawJson.plain, metadata);
    return typeof transformed === 'object' && transformed !== null ? rawJson.restore(transformed) : transformed;
  }
}

export function firstMessage(errors: ValidationError[]): string {
  for (const error of errors) {
    const own = Object.values(error.constraints ?? {});
    if (own.length > 0) return own[0];
    const nested = firstMessage(error.children ?? []);
    if (nested) return nested;
  }
  return 'Request is invalid';
}
