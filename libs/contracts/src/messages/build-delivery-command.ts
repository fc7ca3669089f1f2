import { randomUUID } from 'node:crypto';
import { DeliveryCommandV1 } from './delivery-command.v1';
import { DeliveryTrigger } from './delivery-trigger';

export interface DeliveryRequest {
  eventId: string;
  /** Absent: the dispatcher resolves the event's active subscribers at delivery time. */
  webhookId?: string;
  trigger: DeliveryTrigger;
  /** Who asked: an API token id, or the dispatcher's own component (`retry-scheduler`, `fifo-release`). */
  requestedBy: string;
  retryJobId?: string;
  /** Set for commands that must stay the same when published again; a new UUID otherwise. */
  commandId?: string;
}

/**
 * The one builder of delivery commands. A fresh command gets a new commandId unless the request names
 * one, so the dispatcher treats every request as new work.
 */
export function buildDeliveryCommand(request: DeliveryRequest, now = new Date()): DeliveryCommandV1 {
  return {
    version: 1,
    commandId: request.commandId ?? randomUUID(),
    eventId: request.eventId,
    ...(request.webhookId ? { webhookId: request.webhookId } : {}),
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    ...(request.retryJobId ? { retryJobId: request.retryJobId } : {}),
    requestedAt: now.toISOString(),
  };
}
