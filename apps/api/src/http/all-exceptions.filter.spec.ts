import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { AllExceptionsFilter, UNAVAILABLE_RETRY_AFTER_SECONDS } from './all-exceptions.filter';
import { DATABASE_UNAVAILABLE_MESSAGE } from './error-response';

describe('AllExceptionsFilter', () => {
  const reply = jest.fn();
  const filter = new AllExceptionsFilter({ httpAdapter: { reply } } as unknown as HttpAdapterHost);

  const handle = (exception: unknown): ServerResponse => {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
    filter.catch(exception, host);
    return response;
  };

  beforeEach(() => reply.mockClear());

  it('tells clients when to come back after a 503', () => {
    const unavailable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), {
      name: 'MongoServerSelectionError',
    });

    const response = handle(unavailable);

    expect(reply).toHaveBeenCalledWith(response, { message: DATABASE_UNAVAILABLE_MESSAGE }, 503);
    expect(response.getHeader('Retry-After')).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  });

  it('sends no Retry-After with a client error', () => {
    const response = handle(new BadRequestException('webhookId must be a valid UUID'));

    expect(reply).toHaveBeenCalledWith(response, { message: 'webhookId must be a valid UUID' }, 400);
    expect(response.getHeader('Retry-After')).toBeUndefined();
  });
});
