import { DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { DeliveryDocument, pendingDeliveryRow, WebhookDocument } from '@app/persistence';
import { fifoDecision, FifoTarget, releaseCommandOf } from './fifo-queue';

const webhook = (fifo: boolean) => ({ _id: 'wh-1', fifo }) as WebhookDocument;
const row = (changes: Partial<DeliveryDocument> = {}): DeliveryDocument => ({
  ...pendingDeliveryRow({ tenantId: 't', eventId: 'ev-1', webhookId: 'wh-1', url: 'https://x.test/' }, new Date(0)),
  ...changes,
});
const command = (trigger: DeliveryTrigger) =>
  ({ version: 1, commandId: 'c', eventId: 'ev-1', webhookId: 'wh-1', trigger }) as FifoTarget['command'];

describe('fifoDecision', () => {
  it('leaves webhooks without FIFO unordered', () => {
    expect(fifoDecision({ command: command(DeliveryTrigger.Initial), webhook: webhook(false), row: row() })).toBe(
      'unordered',
    );
  });

  it('orders first attempts and automatic retries', () => {
    expect(fifoDecision({ command: command(DeliveryTrigger.Initial), webhook: webhook(true), row: row() })).toBe(
      'ordered',
    );
    expect(fifoDecision({ command: command(DeliveryTrigger.Initial), webhook: webhook(true), row: null })).toBe(
      'ordered',
    );
    const retrying = row({ status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1 });
    expect(fifoDecision({ command: command(DeliveryTrigger.Automatic), webhook: webhook(true), row: retrying })).toBe(
      'ordered',
    );
  });

  it('drops an initial command the queue already acted on', () => {
    const attempted = row({ status: DeliveryStatus.Retrying, attempts: 1 });
    const delivered = row({ status: DeliveryStatus.Delivered, attempts: 1 });
    for (const state of [attempted, delivered]) {
      expect(fifoDecision({ command: command(DeliveryTrigger.Initial), webhook: webhook(true), row: state })).toBe(
        'stale',
      );
    }
  });

  it('lets a manual re-send of a finished delivery through, but queues a manual retry of an open one', () => {
    const delivered = row({ status: DeliveryStatus.Delivered, attempts: 1 });
    expect(fifoDecision({ command: command(DeliveryTrigger.Manual), webhook: webhook(true), row: delivered })).toBe(
      'unordered',
    );
    expect(fifoDecision({ command: command(DeliveryTrigger.Manual), webhook: webhook(true), row: row() })).toBe(
      'ordered',
    );
  });
});

describe('releaseCommandOf', () => {
  it('names the head and its schedule step, so every releaser publishes the same command id', () => {
    const head = row({ status: DeliveryStatus.Retrying, scheduledFailures: 2 });
    const first = releaseCommandOf(head);
    const second = releaseCommandOf(head);
    expect(first).toMatchObject({
      commandId: 'fifo:ev-1:wh-1:2',
      eventId: 'ev-1',
      webhookId: 'wh-1',
      trigger: DeliveryTrigger.Automatic,
      requestedBy: 'fifo-queue',
    });
    expect(second.commandId).toBe(first.commandId);
  });
});
