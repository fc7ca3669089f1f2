import { BadRequestException } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_JSON_DEPTH } from '@app/contracts';
import { rejectDeepJson, TOO_DEEP_MESSAGE } from './json-depth.middleware';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

function outcomeFor(body: unknown): unknown {
  let passed: unknown = 'not called';
  rejectDeepJson({ body } as IncomingMessage & { body?: unknown }, {} as ServerResponse, (error) => (passed = error));
  return passed;
}

describe('rejectDeepJson', () => {
  it('lets ordinary and absent bodies through', () => {
    expect(outcomeFor(undefined)).toBeUndefined();
    expect(outcomeFor({ type: 'invoice.paid', payload: { a: [{ b: 1 }] } })).toBeUndefined();
    expect(outcomeFor({ payload: nested(MAX_JSON_DEPTH - 1) })).toBeUndefined();
  });

  it('answers 400 for a body nested deeper than the limit, however deep', () => {
    for (const body of [{ payload: nested(MAX_JSON_DEPTH) }, { webhookId: nested(100_000) }]) {
      const error = outcomeFor(body);
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).message).toBe(TOO_DEEP_MESSAGE);
    }
  });
});
