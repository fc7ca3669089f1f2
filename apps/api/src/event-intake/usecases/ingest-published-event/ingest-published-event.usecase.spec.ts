import { ConflictException, PayloadTooLargeException } from '@nestjs/common';
import { EventPublishedV1 } from '@app/contracts';
import { ApiTokenRepository, EventDocument, EventRepository, EventStatus } from '@app/persistence';
import {
  CreateEventCommand,
  CreateEventResult,
  CreateEventUseCase,
} from '../../../events/usecases/create-event/create-event.usecase';
import { IngestPublishedEventUseCase } from './ingest-published-event.usecase';

const SOURCE = 'kafka:webhooks.events.v1:3:42';
const EVENT_ID = '550e8400-e29b-41d4-a716-446655440000';
const SUMMARY = {
  eventId: EVENT_ID,
  type: 'order.created',
  status: EventStatus.Pending,
  webhookCount: 1,
  createdAt: new Date('2025-01-01T00:00:00Z'),
};

function setUp(options: { tenants?: string[]; stored?: Partial<EventDocument>; create?: jest.Mock } = {}) {
  const tenants = new Set(options.tenants ?? ['acme']);
  const tokens = { tenantExists: async (tenantId: string) => tenants.has(tenantId) } as unknown as ApiTokenRepository;
  const events = { findById: async () => options.stored ?? null } as unknown as EventRepository;
  const create = options.create ?? jest.fn(async (): Promise<CreateEventResult> => ({ created: true, event: SUMMARY }));
  const useCase = new IngestPublishedEventUseCase(tokens, events, { execute: create } as unknown as CreateEventUseCase);
  return { useCase, create };
}

const published = (fields: Partial<EventPublishedV1> = {}): EventPublishedV1 => ({
  version: 1,
  tenantId: 'acme',
  type: 'order.created',
  payload: { n: 1 },
  ...fields,
});

describe('IngestPublishedEventUseCase', () => {
  it('creates the event through the HTTP use case, with the Kafka coordinates as requester', async () => {
    const { useCase, create } = setUp();
    await expect(useCase.execute({ message: published({ idempotencyKey: 'k-1' }), source: SOURCE })).resolves.toEqual({
      kind: 'created',
      event: SUMMARY,
    });
    expect(create).toHaveBeenCalledWith<[CreateEventCommand]>({
      tenantId: 'acme' as CreateEventCommand['tenantId'],
      requestedBy: SOURCE,
      type: 'order.created',
      payload: { n: 1 },
      idempotencyKey: 'k-1',
      eventId: undefined,
    });
  });

  it.each([
    ['the idempotency key', { idempotencyKey: 'k-1', eventId: EVENT_ID }, 'k-1'],
    ['the chosen event id', { eventId: EVENT_ID }, EVENT_ID],
    ['the Kafka coordinates, so a re-read message is created once', {}, SOURCE],
  ])('dedupes on %s', async (_label, fields, key) => {
    const { useCase, create } = setUp();
    await useCase.execute({ message: published(fields), source: SOURCE });
    expect(create.mock.calls[0][0].idempotencyKey).toBe(key);
  });

  it('reports an existing event as a duplicate', async () => {
    const create = jest.fn(async (): Promise<CreateEventResult> => ({ created: false, event: SUMMARY }));
    const { useCase } = setUp({ create });
    await expect(useCase.execute({ message: published(), source: SOURCE })).resolves.toEqual({
      kind: 'duplicate',
      event: SUMMARY,
    });
  });

  it('rejects an unknown tenant without creating anything', async () => {
    const { useCase, create } = setUp({ tenants: [] });
    await expect(useCase.execute({ message: published(), source: SOURCE })).resolves.toEqual({
      kind: 'rejected',
      reason: 'unknown tenant "acme"',
    });
    expect(create).not.toHaveBeenCalled();
  });

  it('rejects an event id that already names an event with another idempotency key', async () => {
    const { useCase, create } = setUp({ stored: { _id: EVENT_ID, idempotencyKey: 'someone-else' } });
    const message = published({ eventId: EVENT_ID, idempotencyKey: 'mine' });
    await expect(useCase.execute({ message, source: SOURCE })).resolves.toEqual({
      kind: 'rejected',
      reason: `eventId ${EVENT_ID} already names another event`,
    });
    expect(create).not.toHaveBeenCalled();
  });

  it('rejects what the creation refuses as the client’s fault', async () => {
    const create = jest.fn(async () => {
      throw new PayloadTooLargeException('payload must be at most 262144 bytes of JSON');
    });
    const { useCase } = setUp({ create });
    await expect(useCase.execute({ message: published(), source: SOURCE })).resolves.toEqual({
      kind: 'rejected',
      reason: 'payload must be at most 262144 bytes of JSON',
    });
  });

  it('tries a conflict again before giving up on it', async () => {
    const conflict = new ConflictException('An event with this idempotencyKey is being created; try again');
    const create = jest
      .fn()
      .mockRejectedValueOnce(conflict)
      .mockResolvedValueOnce({ created: false, event: SUMMARY } satisfies CreateEventResult);
    const { useCase } = setUp({ create });
    await expect(useCase.execute({ message: published(), source: SOURCE })).resolves.toEqual({
      kind: 'duplicate',
      event: SUMMARY,
    });

    const lasting = jest.fn().mockRejectedValue(conflict);
    const { useCase: stuck } = setUp({ create: lasting });
    await expect(stuck.execute({ message: published(), source: SOURCE })).resolves.toEqual({
      kind: 'rejected',
      reason: conflict.message,
    });
    expect(lasting).toHaveBeenCalledTimes(3);
  });

  it('throws what is worth retrying (the database or the broker away)', async () => {
    const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });
    const { useCase } = setUp({ create: jest.fn().mockRejectedValue(unavailable) });
    await expect(useCase.execute({ message: published(), source: SOURCE })).rejects.toBe(unavailable);
  });
});
