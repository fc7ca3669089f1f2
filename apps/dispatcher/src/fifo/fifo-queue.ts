import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DeliveryCommand, DeliveryLogV1, DeliveryRequest, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { DeliveryCommandPublisher } from '@app/kafka';
import {
  asTenantId,
  DeliveryDocument,
  deliveryIdOf,
  DeliveryRepository,
  EventDocument,
  TenantId,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';

/** Held deliveries one sweep looks at. */
const SWEEP_BATCH = 500;

export interface FifoTarget {
  command: DeliveryCommand;
  event: EventDocument;
  webhook: WebhookDocument;
  /** The delivery row as read for this batch; null when the dispatcher has just created it. */
  row: DeliveryDocument | null;
}

export type FifoDecision =
  /** Not subject to ordering: a non-FIFO webhook, or a manual re-send of a delivery that already finished. */
  | 'unordered'
  /** An `initial` command that the queue already acted on (the delivery was attempted or finished). */
  | 'stale'
  /** Goes out only if no older delivery to the webhook is still open. */
  | 'ordered';

const isOpen = (status: DeliveryStatus): boolean =>
  status === DeliveryStatus.Pending || status === DeliveryStatus.Retrying;

/** How FIFO mode treats one (command, webhook) target, from the state of its delivery row. */
export function fifoDecision(target: Pick<FifoTarget, 'command' | 'webhook' | 'row'>): FifoDecision {
  if (!target.webhook.fifo) return 'unordered';
  const row = target.row;
  if (!row) return 'ordered';
  if (target.command.trigger === DeliveryTrigger.Manual) return isOpen(row.status) ? 'ordered' : 'unordered';
  if (target.command.trigger === DeliveryTrigger.Initial && (row.attempts > 0 || !isOpen(row.status))) return 'stale';
  return 'ordered';
}

/** The command that releases a queue's head; its id is the same from every releaser, so its attempt is made once. */
export function releaseCommandOf(head: DeliveryDocument): DeliveryRequest {
  return {
    commandId: `fifo:${head._id}:${head.scheduledFailures}`,
    eventId: head.eventId,
    webhookId: head.webhookId,
    trigger: DeliveryTrigger.Automatic,
    requestedBy: 'fifo-queue',
  };
}

/**
 * FIFO webhooks: deliveries go out one at a time, in the order their events were accepted (the delivery
 * row's createdAt, then id). A delivery whose older sibling is still pending or retrying is held back
 * (its command finishes without sending, and the row records what it waits for). When a delivery
 * finishes, delivered or failed for good, the log writer releases the next one with a command. The
 * order lives in MongoDB, not in a process, so it holds across partitions and any number of
 * dispatchers; the per-step claim in DispatchCommandsUseCase keeps the original command and a release
 * from both sending. A periodic sweep re-releases anything a crash left held, and flushes the held
 * deliveries of a webhook whose FIFO flag was switched off.
 */
@Injectable()
export class FifoQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FifoQueue.name);
  private readonly sweepIntervalMs: number;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly webhooks: WebhookRepository,
    private readonly commands: DeliveryCommandPublisher,
    private readonly metrics: DispatcherMetrics,
    config: AppConfig,
  ) {
    this.sweepIntervalMs = config.durationMs('FIFO_SWEEP_INTERVAL');
  }

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.sweepIntervalMs);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
  }

  /**
   * Which targets must not be sent now: stale initial commands, and ordered targets with an older
   * open delivery to the same webhook (its event id recorded on the row as heldBy). Returns their delivery ids.
   */
  async holdBack(targets: FifoTarget[]): Promise<Set<string>> {
    const skipped = new Set<string>();
    const holds: { deliveryId: string; heldBy: string }[] = [];
    await Promise.all(
      targets.map(async (target) => {
        const decision = fifoDecision(target);
        if (decision === 'unordered') return;
        const deliveryId = deliveryIdOf(target.event._id, target.webhook._id);
        if (decision === 'stale') {
          skipped.add(deliveryId);
          return;
        }
        const blocker = await this.deliveries.findOlderOpen({
          _id: deliveryId,
          tenantId: target.event.tenantId,
          webhookId: target.webhook._id,
          createdAt: target.row?.createdAt ?? new Date(),
        });
        if (!blocker) return;
        skipped.add(deliveryId);
        holds.push({ deliveryId, heldBy: blocker.eventId });
        this.logger.debug(
          {
            eventId: target.event._id,
            webhookId: target.webhook._id,
            commandId: target.command.commandId,
            heldBy: blocker.eventId,
          },
          'FIFO delivery held back behind an older open one',
        );
      }),
    );
    await this.deliveries.markHeld(holds);
    this.metrics.fifoHeld.inc(holds.length);
    return skipped;
  }

  /**
   * After a batch of logs is persisted: each FIFO webhook whose delivery finished sends its next one. Only
   * logs marked `fifo` are looked at, so a batch with none costs no read (the sweep releases what a log
   * from before that mark existed left held).
   */
  async releaseAfter(logs: DeliveryLogV1[]): Promise<void> {
    const finished = new Map<string, Set<string>>();
    for (const log of logs) {
      if (!log.fifo || isOpen(log.deliveryStatus)) continue;
      finished.set(log.tenantId, (finished.get(log.tenantId) ?? new Set()).add(log.webhookId));
    }
    const releases: DeliveryRequest[] = [];
    for (const [tenant, webhookIds] of finished) {
      const tenantId = asTenantId(tenant);
      const webhooks = await this.webhooks.findByIds(tenantId, [...webhookIds]);
      for (const webhook of webhooks.filter(({ fifo }) => fifo)) {
        const release = await this.nextRelease(tenantId, webhook._id);
        if (release) releases.push(release);
      }
    }
    await this.publish(releases);
  }

  /** The command for a webhook's queue head, unless it is scheduled (the retry scheduler sends it then). */
  private async nextRelease(tenantId: TenantId, webhookId: string): Promise<DeliveryRequest | null> {
    const head = await this.deliveries.findOldestOpen(tenantId, webhookId);
    if (!head || head.nextAttemptAt) return null;
    return releaseCommandOf(head);
  }

  private async sweep(): Promise<void> {
    try {
      const held = await this.deliveries.findHeld(SWEEP_BATCH);
      const byWebhook = new Map<string, DeliveryDocument[]>();
      for (const row of held) {
        const key = `${row.tenantId}\u0000${row.webhookId}`;
        byWebhook.set(key, [...(byWebhook.get(key) ?? []), row]);
      }
      const releases: DeliveryRequest[] = [];
      const orphans: string[] = [];
      for (const rows of byWebhook.values()) {
        const tenantId = asTenantId(rows[0].tenantId);
        const webhook = await this.webhooks.findById(tenantId, rows[0].webhookId);
        if (!webhook) orphans.push(...rows.map(({ _id }) => _id));
        else if (!webhook.fifo) releases.push(...rows.map(releaseCommandOf));
        else {
          const release = await this.nextRelease(tenantId, webhook._id);
          if (release) releases.push(release);
        }
      }
      await this.deliveries.clearHeld(orphans);
      await this.publish(releases);
    } catch (error) {
      this.logger.warn(`FIFO sweep failed, next one in ${this.sweepIntervalMs} ms: ${(error as Error).message}`);
    }
  }

  private async publish(releases: DeliveryRequest[]): Promise<void> {
    if (releases.length === 0) return;
    await this.commands.publish(releases);
    this.metrics.fifoReleased.inc(releases.length);
  }
}
