import { DeadLetterV1 } from '../messages/dead-letter.v1';
import { DeliveryCommandV1 } from '../messages/delivery-command.v1';
import { DeliveryLogV1, DeliveryStatus } from '../messages/delivery-log.v1';
import { DeliveryTrigger } from '../messages/delivery-trigger';
import { EventPublishedV1 } from '../messages/event-published.v1';
import { KafkaTopic } from './kafka-topics';
import { TopicContract } from './topic-contract';
import { DeadLetterContract, DeliveryCommandsContract, DeliveryLogsContract, EventsContract } from './topic-contracts';

const EVENT_ID = '550e8400-e29b-41d4-a716-446655440000';
const WEBHOOK_ID = '123e4567-e89b-42d3-a456-426614174000';

const command: DeliveryCommandV1 = { version: 1, commandId: 'c-1', eventId: EVENT_ID, trigger: DeliveryTrigger.Manual };
const event = { version: 1, tenantId: 'tenant-1', type: 'order.paid', payload: { total: 3 } } as EventPublishedV1;
const log: DeliveryLogV1 = {
  version: 1,
  attemptId: '9b2f3c1e-8a4d-4f6b-9c0d-1e2f3a4b5c6d',
  tenantId: 'tenant-1',
  eventId: EVENT_ID,
  webhookId: WEBHOOK_ID,
  url: 'https://receiver.test/',
  commandId: 'c-1',
  trigger: DeliveryTrigger.Manual,
  attemptNumber: 1,
  startedAt: '2030-01-01T00:00:00.000Z',
  durationMs: 4,
  success: true,
  statusCode: 200,
  errorKind: null,
  errorMessage: null,
  responseBodyExcerpt: null,
  scheduledFailures: 0,
  deliveryStatus: DeliveryStatus.Delivered,
};
const letter: DeadLetterV1 = {
  version: 1,
  sourceTopic: KafkaTopic.Events,
  partition: 2,
  offset: '17',
  reason: 'value is not valid JSON',
  failedAt: '2030-01-01T00:00:00.000Z',
  keyBase64: null,
  valueBase64: Buffer.from('{nope').toString('base64'),
};

type Case = [string, TopicContract<never>, object, KafkaTopic, string, object, RegExp];

describe('topic contracts', () => {
  it.each<Case>([
    [
      'delivery commands',
      DeliveryCommandsContract as TopicContract<never>,
      command,
      KafkaTopic.DeliveryCommands,
      EVENT_ID,
      { ...command, eventId: 'nope' },
      /eventId must be a UUID/,
    ],
    [
      'events',
      EventsContract as TopicContract<never>,
      event,
      KafkaTopic.Events,
      'tenant-1',
      { ...event, type: 'has spaces' },
      /type must be/,
    ],
    [
      'delivery logs',
      DeliveryLogsContract as TopicContract<never>,
      log,
      KafkaTopic.DeliveryLogs,
      EVENT_ID,
      { ...log, success: 'yes' },
      /success must be a boolean/,
    ],
    [
      'dead letters',
      DeadLetterContract as TopicContract<never>,
      letter,
      KafkaTopic.DeadLetter,
      `${KafkaTopic.Events}:2:17`,
      { ...letter, offset: 'x' },
      /offset must be digits/,
    ],
  ])('%s: names its topic, keys, round-trips a valid value and refuses an invalid one', (...args) => {
    const [, contract, valid, topic, key, invalid, reason] = args;
    expect(contract.topic).toBe(topic);
    expect(contract.version).toBe(1);
    expect(contract.keyOf(valid as never)).toBe(key);
    const parsed = contract.parse(Buffer.from(contract.serialize(valid as never)));
    expect(parsed).toEqual({ ok: true, value: expect.objectContaining(valid) });
    const refused = contract.parse(Buffer.from(JSON.stringify(invalid)));
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('keys a published event by its id when the publisher chose one', () => {
    expect(EventsContract.keyOf({ ...event, eventId: EVENT_ID })).toBe(EVENT_ID);
  });
});
