import { initialCommandIdOf } from '@app/contracts';
import { BenchDatabase } from './bench-database';

/**
 * What the API leaves behind for `commands` new events spread over one webhook per URL: the webhooks,
 * the events with their pending delivery rows, and each event's initial command, ready to publish to the
 * delivery-commands topic. The dispatcher runs and the least-work baseline are fed the same way.
 */
export async function seedDeliveryCommands(
  db: BenchDatabase,
  tenantId: string,
  commands: number,
  urls: string[],
): Promise<{ key: string; value: string }[]> {
  const webhooks = await db.createWebhooks(tenantId, urls);
  const events = await db.createEvents(tenantId, commands, webhooks);
  // The initial commands the API publishes for new events, with the same ids: the stranded-delivery sweep
  // re-publishes those for rows still pending after STRANDED_DELIVERY_AFTER, which a long backlog is.
  return events.map((event, index) => ({
    key: event._id,
    value: JSON.stringify({
      version: 1,
      commandId: initialCommandIdOf(event._id, webhooks[index % webhooks.length]._id),
      eventId: event._id,
      webhookId: webhooks[index % webhooks.length]._id,
      trigger: 'initial',
    }),
  }));
}
