import { randomUUID } from 'node:crypto';
import { DeliveryCommandV1 } from '../messages/delivery-command.v1';
import { EventPublishedV1 } from '../messages/event-published.v1';
import { parseMessage } from './parse-message';

const bytes = (text: string) => Buffer.from(text);

describe('parseMessage', () => {
  it('returns a validated instance for a valid message', () => {
    const eventId = randomUUID();
    const parsed = parseMessage(DeliveryCommandV1, bytes(JSON.stringify({ version: 1, eventId })));
    expect(parsed).toEqual({ ok: true, value: expect.any(DeliveryCommandV1) });
  });

  it('gives a reason, never a RangeError, for nesting deeper than the stack allows', () => {
    const deep = `{"version":1,"eventId":"${randomUUID()}","requestedBy":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(parseMessage(DeliveryCommandV1, bytes(deep))).toEqual({
      ok: false,
      reason: 'value nests deeper than 100 levels',
    });
    const payload = `{"version":1,"tenantId":"t","type":"a","payload":${'{"a":'.repeat(150)}1${'}'.repeat(150)}}`;
    expect(parseMessage(EventPublishedV1, bytes(payload)).ok).toBe(false);
  });

  it('gives a reason, never a TypeError, for a nested "constructor" key (class-transformer throws on it)', () => {
    const value = `{"version":1,"tenantId":"t","type":"a","payload":{"constructor":1}}`;
    expect(parseMessage(EventPublishedV1, bytes(value))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^value could not be validated: /),
    });
  });
});
