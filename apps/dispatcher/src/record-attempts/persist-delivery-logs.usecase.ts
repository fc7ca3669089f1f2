import { Injectable } from '@nestjs/common';
import { DeliveryLogV1, DeliveryStatus } from '@app/contracts';
import {
  asTenantId,
  DeliveryAttemptRepository,
  deliveryIdOf,
  DeliveryRepository,
  EventDocument,
  EventRepository,
  EventStatus,
  EventTarget,
  rollUpEventStatus,
} from '@app/persistence';
import { FifoQueue } from '../fifo/fifo-queue';
import { numberAttempts } from './number-attempts';
import { RetryScheduler } from '../retry-schedule/retry-scheduler';

/**
 * Persists what a batch of attempt logs means (the dispatchers stored the attempts themselves): the
 * attempts' numbers, each delivery's new state and count, the events' overall statuses, then releases the
 * next delivery of FIFO webhooks. Every step is safe to repeat when Kafka redelivers a batch.
 */
@Injectable()
export class PersistDeliveryLogsUseCase {
  constructor(
    private readonly attempts: DeliveryAttemptRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly events: EventRepository,
    private readonly scheduler: RetryScheduler,
    private readonly fifo: FifoQueue,
  ) {}

  async execute(received: DeliveryLogV1[]): Promise<void> {
    if (received.length === 0) return;
    // Attempts from dispatchers of releases that left storing them to the log writer.
    const unstored = received.filter((log) => !log.stored);
    if (unstored.length > 0) await this.attempts.insertLogs(unstored);
    const rows = await this.deliveries.findAttemptStates(received);
    const { logs, renumbered, counts } = numberAttempts(received, rows);
    // Before the rows count them, so a crash in between leaves nothing counted with the wrong number.
    await this.attempts.renumber(renumbered);
    const statuses = await this.deliveries.applyAttempts(logs, rows, counts);
    await this.rollUpEvents(logs, statuses);
    // After the finished deliveries are stored, so the next one in a FIFO queue finds its way clear.
    await this.fifo.releaseAfter(logs);
    const nextDue = logs.flatMap((log) => (log.nextAttemptAt ? [new Date(log.nextAttemptAt)] : []));
    if (nextDue.length > 0) this.scheduler.wakeBy(new Date(Math.min(...nextDue.map((date) => date.getTime()))));
  }

  /**
   * Each event's overall status from its targets' states: the states this batch left on the delivery
   * rows, merged into those the event document holds, so no other delivery row is read (delivery logs are
   * keyed by event, so one log writer at a time updates a given event). Events stored before events had
   * `targets` are rolled up from all their delivery rows.
   */
  private async rollUpEvents(logs: DeliveryLogV1[], statuses: Map<string, DeliveryStatus>): Promise<void> {
    const moved = new Map<string, Map<string, DeliveryStatus>>();
    for (const { eventId, webhookId } of logs) {
      const status = statuses.get(deliveryIdOf(eventId, webhookId));
      if (status) moved.set(eventId, (moved.get(eventId) ?? new Map()).set(webhookId, status));
    }
    // Most events have one target: their roll-up needs no read, unless a write finds otherwise.
    const single = [...moved].filter(([, targets]) => targets.size === 1);
    const blind = single.map(([eventId, targets]) => {
      const [[webhookId, status]] = targets;
      return { eventId, webhookId, status };
    });
    if (await this.events.setSingleTargetStatuses(blind)) for (const { eventId } of blind) moved.delete(eventId);
    if (moved.size === 0) return;
    const events = await this.events.findTargets([...moved.keys()]);
    const updates: { eventId: string; status: EventStatus; targets?: EventTarget[] }[] = [];
    for (const event of events.filter(({ targets }) => targets)) {
      const targets = new Map(event.targets!.map(({ webhookId, status }) => [webhookId, status] as const));
      const changes = [...moved.get(event._id)!].filter(([webhookId, status]) => targets.get(webhookId) !== status);
      // The status follows from the targets: an event none of whose targets moved is not written again.
      if (changes.length === 0) continue;
      for (const [webhookId, status] of changes) targets.set(webhookId, status);
      updates.push({
        eventId: event._id,
        status: rollUpEventStatus([...targets.values()]),
        targets: [...targets].map(([webhookId, status]) => ({ webhookId, status })),
      });
    }
    updates.push(...(await this.rollUpFromRows(events.filter(({ targets }) => !targets))));
    await this.events.setStatuses(updates);
  }

  private async rollUpFromRows(
    events: Pick<EventDocument, '_id' | 'tenantId'>[],
  ): Promise<{ eventId: string; status: EventStatus }[]> {
    const updates: { eventId: string; status: EventStatus }[] = [];
    const eventsByTenant = new Map<string, string[]>();
    for (const { _id, tenantId } of events)
      eventsByTenant.set(tenantId, [...(eventsByTenant.get(tenantId) ?? []), _id]);
    for (const [tenant, eventIds] of eventsByTenant) {
      const rows = await this.deliveries.findByEvents(asTenantId(tenant), eventIds);
      for (const eventId of eventIds) {
        const statuses = rows.filter((row) => row.eventId === eventId).map((row) => row.status);
        updates.push({ eventId, status: rollUpEventStatus(statuses) });
      }
    }
    return updates;
  }
}
