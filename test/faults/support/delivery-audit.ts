import { Model } from 'mongoose';
import { DeliveryAttemptDocument } from '@app/persistence';
import { ReceivedRequest } from '../../support/receiver';
import { waitFor } from '../../support/wait-for';
import { secondsBetween } from './figures';

/** One delivery the service accepted: event E to webhook W, expected at the receiver under `path`. */
export interface ExpectedDelivery {
  eventId: string;
  webhookId: string;
}

export interface DeliveryAudit {
  /** Distinct (event, webhook) pairs the receiver got. */
  delivered: number;
  /** Expected deliveries with a successful attempt logged. */
  logged: number;
  /** POSTs beyond the first per (event, webhook): the README's one duplicate window. */
  duplicates: number;
  /** Expected deliveries whose successful attempt is logged more than once. */
  loggedTwice: number;
  /** Expected deliveries the receiver never got. */
  missing: string[];
  /** Why the wait gave up (the counts are then what had arrived by the deadline), or null. */
  timedOut: string | null;
  attempts: DeliveryAttemptDocument[];
}

const pairOf = (eventId: string, webhookId: string) => `${eventId}/${webhookId}`;

/**
 * Waits until every expected delivery has a successful attempt in MongoDB, then counts what the receiver
 * got against it. `requestsFor(webhookId)` gives the POSTs that webhook's receiver path recorded. On a
 * timeout it still returns the counts (with `timedOut` set), so a test can print its figures before its
 * assertions fail on `missing`.
 */
export async function auditDeliveries(
  attempts: Model<DeliveryAttemptDocument>,
  expected: ExpectedDelivery[],
  requestsFor: (webhookId: string) => ReceivedRequest[],
  timeoutMs: number,
): Promise<DeliveryAudit> {
  const eventIds = [...new Set(expected.map((delivery) => delivery.eventId))];
  const wanted = new Set(expected.map((delivery) => pairOf(delivery.eventId, delivery.webhookId)));
  const loadAttempts = async () => {
    const found: DeliveryAttemptDocument[] = [];
    // $in lists of a few hundred ids keep each FerretDB query short.
    for (let start = 0; start < eventIds.length; start += 500) {
      const slice = eventIds.slice(start, start + 500);
      found.push(
        ...(await attempts
          .find({ eventId: { $in: slice } })
          .lean<DeliveryAttemptDocument[]>()
          .exec()),
      );
    }
    return found;
  };
  const successfulPairs = (logged: DeliveryAttemptDocument[]) =>
    new Set(
      logged
        .filter((attempt) => attempt.success)
        .map((attempt) => pairOf(attempt.eventId, attempt.webhookId))
        .filter((pair) => wanted.has(pair)),
    );
  const webhookIds = [...new Set(expected.map((delivery) => delivery.webhookId))];
  const received = () => {
    const seen = new Set<string>();
    for (const webhookId of webhookIds) {
      for (const request of requestsFor(webhookId))
        seen.add(pairOf(request.headers['webhook-id'] as string, webhookId));
    }
    return [...wanted].filter((pair) => seen.has(pair)).length;
  };
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(deadline - Date.now(), 1_000);
  // Cheap probes first (the receiver's memory, then one count), so polling does not load the database
  // that is busy persisting the very attempts being waited for; the full read happens once at the end.
  let timedOut: string | null = null;
  const noteTimeout = (error: Error) => {
    timedOut = error.message;
    return undefined;
  };
  await waitFor(
    `the receiver to get each of ${wanted.size} deliveries`,
    () => received() === wanted.size,
    remaining(),
    500,
  ).catch(noteTimeout);
  const logged =
    (timedOut === null
      ? await waitFor(
          `a successful attempt logged for each of ${wanted.size} deliveries`,
          async () => {
            const count = await attempts.countDocuments({ webhookId: { $in: webhookIds }, success: true }).exec();
            if (count < wanted.size) return undefined;
            const found = await loadAttempts();
            return successfulPairs(found).size === wanted.size ? found : undefined;
          },
          remaining(),
          2_000,
        ).catch(noteTimeout)
      : undefined) ?? (await loadAttempts());
  const successCount = new Map<string, number>();
  for (const attempt of logged.filter((attempt) => attempt.success)) {
    const pair = pairOf(attempt.eventId, attempt.webhookId);
    successCount.set(pair, (successCount.get(pair) ?? 0) + 1);
  }

  let delivered = 0;
  let duplicates = 0;
  const missing: string[] = [];
  const byWebhook = new Map<string, Map<string, number>>();
  for (const { eventId, webhookId } of expected) {
    let counts = byWebhook.get(webhookId);
    if (!counts) {
      counts = new Map();
      for (const request of requestsFor(webhookId)) {
        const id = request.headers['webhook-id'] as string;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      byWebhook.set(webhookId, counts);
    }
    const received = counts.get(eventId) ?? 0;
    if (received === 0) missing.push(pairOf(eventId, webhookId));
    else delivered += 1;
    duplicates += Math.max(received - 1, 0);
  }
  return {
    delivered,
    logged: successfulPairs(logged).size,
    duplicates,
    loggedTwice: [...successCount.values()].filter((count) => count > 1).length,
    missing,
    timedOut,
    attempts: logged,
  };
}

/** Time of the first POST (under any of `paths`) received at or after `sinceMs`, in seconds after it. */
export function firstDeliveryAfter(requests: ReceivedRequest[], sinceMs: number): number | null {
  const first = requests.find((request) => request.receivedAt >= sinceMs);
  return first ? secondsBetween(sinceMs, first.receivedAt) : null;
}
