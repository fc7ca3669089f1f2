import { buildDeliveryCommand, DeliveryCommandV1, DeliveryTrigger, KafkaTopic, parseMessage } from '@app/contracts';
import { DeliveryCommandPublisher } from './delivery-command.publisher';
import { InvalidOutgoingMessageError, KafkaProducer, OutgoingMessage } from './kafka-producer';

const EVENT_ID = '550e8400-e29b-41d4-a716-446655440000';
const WEBHOOK_ID = '123e4567-e89b-42d3-a456-426614174000';

/** A real KafkaProducer's publish (contract checks included) over a stubbed wire. */
const recordingProducer = (sent: OutgoingMessage[][]): KafkaProducer =>
  Object.assign(Object.create(KafkaProducer.prototype) as KafkaProducer, {
    sendAll: async (messages: OutgoingMessage[]) => void sent.push(messages),
  });

describe('buildDeliveryCommand', () => {
  it('builds a command that passes the contract validation the dispatcher applies', () => {
    const command = buildDeliveryCommand({
      eventId: EVENT_ID,
      webhookId: WEBHOOK_ID,
      trigger: DeliveryTrigger.Manual,
      requestedBy: 'token-id',
      retryJobId: '9b2f3c1e-8a4d-4f6b-9c0d-1e2f3a4b5c6d',
    });
    const parsed = parseMessage(DeliveryCommandV1, Buffer.from(JSON.stringify(command)));
    expect(parsed).toEqual({ ok: true, value: expect.objectContaining({ eventId: EVENT_ID, trigger: 'manual' }) });
  });

  it('gives every command its own id unless the request names one, and leaves optional fields out when absent', () => {
    const first = buildDeliveryCommand({ eventId: EVENT_ID, trigger: DeliveryTrigger.Initial, requestedBy: 't' });
    const second = buildDeliveryCommand({ eventId: EVENT_ID, trigger: DeliveryTrigger.Initial, requestedBy: 't' });
    const named = buildDeliveryCommand({
      eventId: EVENT_ID,
      trigger: DeliveryTrigger.Initial,
      requestedBy: 't',
      commandId: 'x:1',
    });
    expect(first.commandId).not.toBe(second.commandId);
    expect(named.commandId).toBe('x:1');
    expect(Object.keys(first)).not.toContain('webhookId');
    expect(Object.keys(first)).not.toContain('retryJobId');
  });
});

describe('DeliveryCommandPublisher', () => {
  it('sends every command to the delivery-commands topic keyed by event id, in one call', async () => {
    const sent: OutgoingMessage[][] = [];
    const commands = await new DeliveryCommandPublisher(recordingProducer(sent)).publish([
      { eventId: EVENT_ID, webhookId: WEBHOOK_ID, trigger: DeliveryTrigger.Manual, requestedBy: 't' },
      { eventId: EVENT_ID, trigger: DeliveryTrigger.Manual, requestedBy: 't' },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0].map((message) => [message.topic, message.key])).toEqual([
      [KafkaTopic.DeliveryCommands, EVENT_ID],
      [KafkaTopic.DeliveryCommands, EVENT_ID],
    ]);
    expect(JSON.parse(sent[0][0].value as string)).toEqual(commands[0]);
  });

  it('refuses a command that breaks the contract and sends none of the call', async () => {
    const sent: OutgoingMessage[][] = [];
    const publishing = new DeliveryCommandPublisher(recordingProducer(sent)).publish([
      { eventId: EVENT_ID, trigger: DeliveryTrigger.Manual, requestedBy: 't' },
      { eventId: 'not-a-uuid', trigger: DeliveryTrigger.Manual, requestedBy: 't' },
    ]);
    await expect(publishing).rejects.toThrow(InvalidOutgoingMessageError);
    await expect(publishing).rejects.toThrow(
      /webhooks\.delivery-commands\.v1: schema violation: eventId must be a UUID/,
    );
    expect(sent).toHaveLength(0);
  });

  it('publishes nothing for no requests', async () => {
    const sent: OutgoingMessage[][] = [];
    await expect(new DeliveryCommandPublisher(recordingProducer(sent)).publish([])).resolves.toEqual([]);
    expect(sent).toHaveLength(0);
  });
});
