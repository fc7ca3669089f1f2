import { DeliveryCommandV1, DeliveryTrigger, KafkaTopic, parseMessage } from '@app/contracts';
import { KafkaProducer, OutgoingMessage } from '@app/kafka';
import { buildDeliveryCommand, DeliveryCommandPublisher } from './delivery-command.publisher';

const EVENT_ID = '550e8400-e29b-41d4-a716-446655440000';
const WEBHOOK_ID = '123e4567-e89b-42d3-a456-426614174000';

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

  it('gives every command its own id and leaves optional fields out when absent', () => {
    const first = buildDeliveryCommand({ eventId: EVENT_ID, trigger: DeliveryTrigger.Initial, requestedBy: 't' });
    const second = buildDeliveryCommand({ eventId: EVENT_ID, trigger: DeliveryTrigger.Initial, requestedBy: 't' });
    expect(first.commandId).not.toBe(second.commandId);
    expect(Object.keys(first)).not.toContain('webhookId');
    expect(Object.keys(first)).not.toContain('retryJobId');
  });
});

describe('DeliveryCommandPublisher', () => {
  it('sends every command to the delivery-commands topic keyed by event id, in one sendAll', async () => {
    const sent: OutgoingMessage[][] = [];
    const producer = {
      sendAll: async (messages: OutgoingMessage[]) => void sent.push(messages),
    } as unknown as KafkaProducer;
    const commands = await new DeliveryCommandPublisher(producer).publish([
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
});
