import { KafkaTopic } from '@app/contracts';
import { OutgoingMessage, splitBySize } from './kafka-producer';

const message = (bytes: number): OutgoingMessage => ({
  topic: KafkaTopic.DeliveryCommands,
  key: 'k',
  value: 'x'.repeat(bytes - 1),
});

describe('splitBySize', () => {
  it('keeps small batches in one request', () => {
    const batch = [message(100), message(100), message(100)];
    expect(splitBySize(batch, 1_000)).toEqual([batch]);
  });

  it('starts a new request before one would go over the limit, keeping the order', () => {
    const batch = [message(400), message(400), message(400), message(100)];
    expect(splitBySize(batch, 1_000)).toEqual([
      [batch[0], batch[1]],
      [batch[2], batch[3]],
    ]);
  });

  it('sends a message larger than the limit on its own', () => {
    const batch = [message(10), message(5_000), message(10)];
    expect(splitBySize(batch, 1_000)).toEqual([[batch[0]], [batch[1]], [batch[2]]]);
  });
});
