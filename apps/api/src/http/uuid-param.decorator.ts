import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';

/** A UUID path parameter; anything else is a 400 with the product's wording, e.g. "eventId must be a valid UUID". */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a valid UUID`) }));
