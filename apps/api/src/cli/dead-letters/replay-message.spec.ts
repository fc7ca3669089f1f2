import { randomUUID } from 'node:crypto';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { replayMessageOf } from './replay-message';

const EVENT_ID = randomUUID();

const letter = (
  sourceTopic: string,
  value: string | Buffer | null,
  extra: Partial<DeadLetterV1> = {},
): DeadLetterV1 => ({
  version: 1,
  sourceTopic,
  partition: 4,
  offset: '17',
  reason: 'unknown event',
  failedAt: '2026-12-06T12:00:00.000Z',
  keyBase64: Buffer.from(EVENT_ID).toString('base64'),
  valueBase64: value === null ? null : Buffer.from(value).toString('base64'),
  ...extra,
});

const sent = (deadLetter: DeadLetterV1) => {
  const replay = replayMessageOf(deadLetter);
  if (!replay.ok) throw new Error(replay.reason);
  return { ...replay.message, value: replay.message.value.toString() };
};

describe('replayMessageOf', () => {
  it('gives a command without a commandId the id of its original coordinates, leaving the rest as it was', () => {
    const value = ` {"version":1,"eventId":"${EVENT_ID}"}`;
    expect(sent(letter(KafkaTopic.DeliveryCommands, value))).toEqual({
      topic: KafkaTopic.DeliveryCommands,
      key: EVENT_ID,
      value: `{"commandId":"kafka:${KafkaTopic.DeliveryCommands}:4:17","version":1,"eventId":"${EVENT_ID}"}`,
    });
  });

  it('sends a command that has its own commandId byte for byte', () => {
    const value = `{"version":1,"eventId":"${EVENT_ID}","commandId":"billing-42"}`;
    expect(sent(letter(KafkaTopic.DeliveryCommands, value)).value).toBe(value);
  });

  it('gives an event without idempotencyKey or eventId the key of its original coordinates, keeping big numbers', () => {
    const value = `{"version":1,"tenantId":"acme","type":"a.b","payload":{"n":12345678901234567890}}`;
    expect(sent(letter(KafkaTopic.Events, value)).value).toBe(
      `{"idempotencyKey":"kafka:${KafkaTopic.Events}:4:17",${value.slice(1)}`,
    );
    const withKey = `{"version":1,"tenantId":"acme","type":"a.b","payload":{},"idempotencyKey":"k"}`;
    expect(sent(letter(KafkaTopic.Events, withKey)).value).toBe(withKey);
  });

  it('keys a message that had no key by the letter id', () => {
    const value = `{"version":1,"eventId":"${EVENT_ID}","commandId":"c"}`;
    expect(sent(letter(KafkaTopic.DeliveryCommands, value, { keyBase64: null })).key).toBe(
      `${KafkaTopic.DeliveryCommands}:4:17`,
    );
  });

  it('replays a delivery log as it is (the log writer stores an attempt once)', () => {
    expect(sent(letter(KafkaTopic.DeliveryLogs, '{"attemptId":"x"}')).value).toBe('{"attemptId":"x"}');
  });

  it.each([
    [letter(KafkaTopic.DeliveryCommands, '{not json'), 'still invalid: value is not valid JSON'],
    [letter(KafkaTopic.DeliveryCommands, '{"version":2}'), 'still invalid: '],
    [letter(KafkaTopic.DeliveryCommands, null), 'the original message had no value'],
    [letter(KafkaTopic.DeadLetter, '{}'), 'webhooks.dead-letter.v1 is not a topic the service consumes'],
    [
      letter(KafkaTopic.Events, '{"version":1', { valueTruncated: true, valueBytes: 900_000 }),
      'the letter keeps only the first 12 of 900000 bytes; the whole message is at webhooks.events.v1 partition 4 offset 17',
    ],
  ])('refuses %#: %s', (deadLetter, reason) => {
    expect(replayMessageOf(deadLetter)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});
