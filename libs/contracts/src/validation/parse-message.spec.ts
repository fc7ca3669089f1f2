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

  it('keeps "constructor", "__proto__" and "prototype" keys of a payload exactly as published', () => {
    const payload = '{"constructor":{"b":2},"__proto__":{"x":1},"prototype":3,"list":[{"constructor":4}]}';
    const parsed = parseMessage(
      EventPublishedV1,
      bytes(`{"version":1,"tenantId":"t","type":"a","payload":${payload}}`),
    );
    expect(parsed.ok).toBe(true);
    const value = (parsed as { value: EventPublishedV1 }).value;
    expect(JSON.stringify(value.payload)).toBe(payload);
    expect(Object.getPrototypeOf(value.payload)).toBe(Object.prototype);
  });

  it('still refuses a payload that is not a JSON object', () => {
    for (const payload of ['[1]', '"text"', 'null']) {
      const parsed = parseMessage(
        EventPublishedV1,
        bytes(`{"version":1,"tenantId":"t","type":"a","payload":${payload}}`),
      );
      expect(parsed).toEqual({ ok: false, reason: expect.stringContaining('payload') });
    }
  });

  it('gives a reason, never a TypeError, for a "constructor" object outside a payload (class-transformer throws on it)', () => {
    const value = `{"version":1,"tenantId":"t","type":"a","payload":{},"idempotencyKey":{"constructor":{"b":1}}}`;
    expect(parseMessage(EventPublishedV1, bytes(value))).toEqual({ ok: false, reason: expect.any(String) });
  });
});
