import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DeliveryCommand, DeliveryStatus, DeliveryTrigger, MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import {
  asTenantId,
  DeliveryDocument,
  deliveryIdOf,
  DeliveryRepository,
  DeliveryTaskRepository,
  deliveryTaskIdOf,
  EventDocument,
  EventRepository,
  fifoStepTaskIdOf,
  subscribesTo,
  WebhookDocument,
  WebhookRepository,
  isDatabaseUnavailable,
} from '@app/persistence';
import { isKafkaUnavailable } from '@app/kafka';
import { FifoQueue } from '../fifo/fifo-queue';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { AttemptRecorder } from '../record-attempts/attempt-recorder';
import { ClaimBatcher } from './claim-batcher';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { EndpointLimiter } from './endpoint-limiter';
import { DispatcherGroupSize } from '../rate-limit/dispatcher-group-size';
import { EndpointRateLimiter } from '../rate-limit/endpoint-rate-limiter';
import { rateShare } from '../rate-limit/rate-share';
import { PayloadBudget } from './payload-budget';
import { AttemptTarget, newAttemptId, SendAttempt } from './send-attempt';
import { untilAvailable } from '@app/common';
import { inSpan, traceContextOf } from '@app/observability';

/** The command could not be acted on at all; its message goes to the dead-letter topic with this reason. */
export class UndeliverableCommandError extends Error {}

/** Shutting down before this delivery started: it was not sent, and its message is left for a replay. */
export class AbandonedOnShutdownError extends Error {
  constructor() {
    super('not started before shutdown');
  }
}

/** Longest pause before looking again at a delivery another dispatcher is still sending. */
const HELD_RECHECK_MS = 1_000;
/**
 * Batches of several partitions read their events at once; each sizes its reads to this share of the
 * budget's free room, so together they overshoot it by at most a few events.
 */
const CONCURRENT_READERS = 4;

type Planned = Omit<AttemptTarget, 'attemptId'>;

interface BatchWebhooks {
  byId: Map<string, WebhookDocument>;
  /** Active webhooks per tenant, oldest first. */
  activeOf: Map<string, WebhookDocument[]>;
}

/**
 * Turns a batch of validated commands into deliveries: one read of the events, webhooks and delivery
 * rows for the whole batch, one bulk claim, then each attempt through its endpoint's concurrency limit.
 * Returns, per command, a promise that settles when all of its deliveries are sent and recorded
 * (or rejects with UndeliverableCommandError).
 */
@Injectable()
export class DispatchCommandsUseCase {
  private readonly logger = new Logger(DispatchCommandsUseCase.name);
  private readonly limiter: EndpointLimiter;
  private readonly rates: EndpointRateLimiter;
  private readonly claims: ClaimBatcher;
  private readonly payloads: PayloadBudget;
  /** Recent events' average payload, to size the next read: starts at the largest allowed. */
  private payloadEstimate = MAX_EVENT_PAYLOAD_BYTES;
  readonly owner = `dispatcher-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private stopping = false;

  constructor(
    private readonly events: EventRepository,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly tasks: DeliveryTaskRepository,
    private readonly sendAttempt: SendAttempt,
    private readonly recorder: AttemptRecorder,
    private readonly fifo: FifoQueue,
    private readonly metrics: DispatcherMetrics,
    policy: DeliveryPolicy,
    config: AppConfig,
    groupSize: DispatcherGroupSize,
  ) {
    this.limiter = new EndpointLimiter(config.get('ENDPOINT_CONCURRENCY'));
    this.rates = new EndpointRateLimiter((rateLimit) => rateShare(rateLimit, groupSize.members));
    this.payloads = new PayloadBudget(config.get('DISPATCHER_MAX_IN_FLIGHT_BYTES'));
    this.claims = new ClaimBatcher(tasks, this.owner, policy.claimLeaseMs);
  }

  /** From now on, deliveries not yet sending are abandoned (AbandonedOnShutdownError); those on the wire finish. */
  stopStarting(): void {
    this.stopping = true;
    this.rates.releaseAll();
  }

  /**
   * Reads the batch's events a part at a time, as many as the payload budget's free room holds by the
   * payload estimate (at least one; small payloads come in one read), and starts each part's deliveries
   * before reading the next: a part waits for budget only on deliveries already under way, never on its
   * own batch. An event's payload counts against the budget until the last of its commands is done.
   */
  async execute(commands: DeliveryCommand[]): Promise<Promise<void>[]> {
    const commandsOf = new Map<string, number[]>();
    commands.forEach((command, index) =>
      commandsOf.set(command.eventId, [...(commandsOf.get(command.eventId) ?? []), index]),
    );
    const eventIds = [...commandsOf.keys()];
    const completions: Promise<void>[] = [];
    for (let start = 0; start < eventIds.length;) {
      const fitting = Math.floor(this.payloads.bytesFree / CONCURRENT_READERS / this.payloadEstimate);
      const ids = eventIds.slice(start, start + Math.max(1, fitting));
      start += ids.length;
      const events = await this.readWithinBudget(ids);
      const indexes = ids.flatMap((id) => commandsOf.get(id)!);
      const part = indexes.map((index) => commands[index]);
      let plans: Awaited<ReturnType<DispatchCommandsUseCase['plan']>>;
      try {
        plans = await untilAvailable(
          this.logger,
          'Resolving delivery targets',
          () => this.plan(part, events),
          isUnavailable,
        );
      } catch (error) {
        // Thrown to the consumer, which retries the slice in halves and dead-letters the command at fault.
        for (const event of events.values()) this.releasePayload(event);
        throw error;
      }
      const started = this.startDeliveries(part, plans, events);
      indexes.forEach((index, position) => (completions[index] = started[position]));
    }
    return completions;
  }

  private async readWithinBudget(ids: string[]): Promise<Map<string, EventDocument>> {
    const read = await untilAvailable(
      this.logger,
      'Reading events',
      () => this.events.findManyForDispatch(ids),
      isUnavailable,
    );
    const bytes = read.reduce((sum, event) => sum + payloadBytes(event), 0);
    if (read.length > 0) this.payloadEstimate = Math.max(1, (this.payloadEstimate + bytes / read.length) / 2);
    const admitted = this.payloads.acquire(bytes);
    this.metrics.waitingPartitions.set({ cap: 'payload_bytes' }, this.payloads.waitingCount);
    await admitted;
    this.metrics.waitingPartitions.set({ cap: 'payload_bytes' }, this.payloads.waitingCount);
    this.metrics.payloadBytesInFlight.set(this.payloads.bytesHeld);
    return new Map(read.map((event) => [event._id, event] as const));
  }

  /** Starts the planned deliveries; each event's payload is released when the last command using it is done. */
  private startDeliveries(
    commands: DeliveryCommand[],
    plans: (Planned[] | UndeliverableCommandError)[],
    events: Map<string, EventDocument>,
  ): Promise<void>[] {
    const users = new Map<string, number>();
    plans.forEach((plan, index) => {
      if (!(plan instanceof Error)) users.set(commands[index].eventId, (users.get(commands[index].eventId) ?? 0) + 1);
    });
    for (const event of events.values()) if (!users.has(event._id)) this.releasePayload(event);
    const doneWith = (event: EventDocument) => {
      const left = users.get(event._id)! - 1;
      users.set(event._id, left);
      if (left === 0) this.releasePayload(event);
    };
    const started = plans.map((plan, index) => {
      if (plan instanceof Error) return Promise.reject(plan);
      const event = events.get(commands[index].eventId)!;
      return this.deliverAll(plan).finally(() => doneWith(event));
    });
    // The caller handles these once the whole batch is started; one that fails sooner is not unhandled.
    for (const completion of started) completion.catch(() => undefined);
    return started;
  }

  private releasePayload(event: EventDocument): void {
    this.payloads.release(payloadBytes(event));
    this.metrics.payloadBytesInFlight.set(this.payloads.bytesHeld);
  }

  private async plan(
    commands: DeliveryCommand[],
    events: Map<string, EventDocument>,
  ): Promise<(Planned[] | UndeliverableCommandError)[]> {
    const webhooks = await this.readWebhooks(commands, events);
    const targetsByCommand = commands.map((command) => {
      const event = events.get(command.eventId);
      if (!event) return new UndeliverableCommandError(`unknown event ${command.eventId}`);
      const targets = this.targetsOf(command, event, webhooks);
      if (targets instanceof Error) return targets;
      return targets.map((webhook) => ({ command, event, webhook }));
    });
    await this.endDeletedWebhooks(commands, events, webhooks);
    const pairs = targetsByCommand.flatMap((targets) => (targets instanceof Error ? [] : targets));
    const deliveryRows = await this.loadOrCreateDeliveries(pairs);
    const heldBack = await this.fifo.holdBack(
      pairs
        .filter(({ webhook }) => webhook.fifo)
        .map((pair) => ({ ...pair, row: deliveryRows.get(deliveryIdOf(pair.event._id, pair.webhook._id)) ?? null })),
    );
    return targetsByCommand.map((targets) => {
      if (targets instanceof Error) return targets;
      return targets
        .map(({ command, event, webhook }) => ({
          command,
          event,
          webhook,
          delivery: deliveryRows.get(deliveryIdOf(event._id, webhook._id)) ?? pendingDelivery(),
        }))
        .filter((target) => !isSettledForAutomaticRetry(target.command, target.delivery))
        .filter((target) => !heldBack.has(deliveryIdOf(target.event._id, target.webhook._id)));
    });
  }

  /**
   * The webhooks a batch of commands can reach, from two reads whatever its size: those named by id, and
   * the active webhooks of the tenants whose commands name none (subscriptions are matched here).
   */
  private async readWebhooks(commands: DeliveryCommand[], events: Map<string, EventDocument>): Promise<BatchWebhooks> {
    const named = new Set<string>();
    const fanOutTenants = new Set<string>();
    for (const command of commands) {
      const event = events.get(command.eventId);
      if (!event) continue;
      if (command.webhookId) named.add(command.webhookId);
      else fanOutTenants.add(event.tenantId);
    }
    const [byId, active] = await Promise.all([
      named.size > 0 ? this.webhooks.findByIdsOfAnyTenant([...named]) : [],
      this.webhooks.findActiveOfTenants([...fanOutTenants].map(asTenantId)),
    ]);
    const activeOf = new Map<string, WebhookDocument[]>();
    for (const webhook of active) activeOf.set(webhook.tenantId, [...(activeOf.get(webhook.tenantId) ?? []), webhook]);
    return { byId: new Map(byId.map((webhook) => [webhook._id, webhook] as const)), activeOf };
  }

  /**
   * A command naming a webhook that no longer exists is still dead-lettered, but the deliveries to it
   * end as failed first: else the stranded sweep would republish them for ever.
   */
  private async endDeletedWebhooks(
    commands: DeliveryCommand[],
    events: Map<string, EventDocument>,
    webhooks: BatchWebhooks,
  ): Promise<void> {
    const deleted = new Map<string, { tenantId: string; webhookId: string }>();
    for (const { eventId, webhookId } of commands) {
      const event = events.get(eventId);
      if (event && webhookId && !webhooks.byId.has(webhookId))
        deleted.set(`${event.tenantId}:${webhookId}`, { tenantId: event.tenantId, webhookId });
    }
    for (const { tenantId, webhookId } of deleted.values()) {
      const eventIds = await this.deliveries.failOpenOfDeletedWebhook(asTenantId(tenantId), webhookId);
      await this.events.setTargetStatus(eventIds, webhookId, DeliveryStatus.Failed);
    }
  }

  private targetsOf(
    command: DeliveryCommand,
    event: EventDocument,
    webhooks: BatchWebhooks,
  ): WebhookDocument[] | UndeliverableCommandError {
    if (!command.webhookId)
      return (webhooks.activeOf.get(event.tenantId) ?? []).filter((webhook) => subscribesTo(webhook, event.type));
    const webhook = webhooks.byId.get(command.webhookId);
    // Another tenant's webhook is as unknown as a missing one.
    return webhook?.tenantId === event.tenantId
      ? [webhook]
      : new UndeliverableCommandError(`unknown webhook ${command.webhookId} for event ${event._id}`);
  }

  /** Delivery rows exist for targets the API planned; commands from other services may name new ones. */
  private async loadOrCreateDeliveries(
    pairs: { event: EventDocument; webhook: WebhookDocument }[],
  ): Promise<Map<string, DeliveryDocument>> {
    const ids = [...new Set(pairs.map(({ event, webhook }) => deliveryIdOf(event._id, webhook._id)))];
    const rows = new Map((await this.deliveries.findByIds(ids)).map((row) => [row._id, row] as const));
    const missing = pairs.filter(({ event, webhook }) => !rows.has(deliveryIdOf(event._id, webhook._id)));
    await this.deliveries.ensureTargets(
      missing.map(({ event, webhook }) => ({
        tenantId: asTenantId(event.tenantId),
        eventId: event._id,
        webhookId: webhook._id,
        url: webhook.url,
      })),
    );
    return rows;
  }

  private async deliverAll(targets: Planned[]): Promise<void> {
    await Promise.all(
      targets.map((target) =>
        // In the trace of the command's message: the active context is its whole batch's.
        inSpan(
          'deliver',
          () => ({ attributes: deliveryAttributes(target) }),
          () => this.deliver(target),
          traceContextOf(target.command),
        ),
      ),
    );
  }

  /**
   * Waits for a slot at the endpoint and for its rateLimit, then claims the (command, webhook) pair, sends
   * and records it. Claiming only once both let it go keeps the claim's lease to the length of one request,
   * so a queue at a slow or rate-limited endpoint never outlives the leases that keep other dispatchers off
   * its deliveries; a delivery waiting for its rate is no attempt.
   */
  private async deliver(target: Planned): Promise<void> {
    const taskId = deliveryTaskIdOf(target.command.commandId, target.webhook._id);
    const stepTaskId = fifoStepTaskId(target);
    const running = this.limiter.run(target.webhook._id, async () => {
      this.metrics.endpointQueued.set(this.limiter.queuedEverywhere);
      await this.rateTurn(target.webhook);
      for (;;) {
        if (this.stopping) throw new AbandonedOnShutdownError();
        const attemptId = newAttemptId();
        const claim = await this.claims.claim({ taskId, attemptId });
        if (claim.outcome === 'completed') {
          if (claim.logJson) await this.recorder.republish(claim.logJson);
          return undefined;
        }
        if (claim.outcome === 'claimed') {
          if (stepTaskId) {
            // FIFO: the original command and a release from the queue may both reach this step; one sends.
            // Both claims carry the attempt's id, so its stored attempt completes them both.
            const step = await this.claims.claim({ taskId: stepTaskId, attemptId });
            if (step.outcome !== 'claimed') {
              await this.tasks.release([{ taskId, attemptId }]);
              return undefined;
            }
          }
          return this.sendAttempt.execute({ ...target, attemptId });
        }
        // Another dispatcher (or this one, before a rebalance) is sending it right now: wait for it.
        const wait = Math.min(Math.max(claim.leaseUntil.getTime() - Date.now(), 50), HELD_RECHECK_MS);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    });
    this.metrics.endpointQueued.set(this.limiter.queuedEverywhere);
    const finished = await running;
    if (finished) await this.recorder.record(finished.log, finished.effect);
  }

  /** A disabled webhook is sent nothing (its attempt only records that), so it waits for no rate. */
  private async rateTurn(webhook: WebhookDocument): Promise<void> {
    const turn = this.rates.acquire(webhook._id, webhook.active ? webhook.rateLimit : null);
    if (!turn) return;
    this.metrics.endpointRateWaiting.set(this.rates.waitingEverywhere);
    await turn;
    this.metrics.endpointRateWaiting.set(this.rates.waitingEverywhere);
  }
}

function deliveryAttributes({ command, event, webhook }: Planned): Record<string, string> {
  return {
    'webhooks.command_id': command.commandId,
    'webhooks.event_id': event._id,
    'webhooks.webhook_id': webhook._id,
    'webhooks.trigger': command.trigger,
  };
}

/** Waited out: MongoDB or Kafka away. Anything else in reading or planning is the batch's own fault. */
function isUnavailable(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isKafkaUnavailable(error);
}

/** FIFO webhooks claim each step of the automatic schedule once, whichever command gets there first. */
function fifoStepTaskId({ command, event, webhook, delivery }: Planned): string | null {
  if (!webhook.fifo || command.trigger === DeliveryTrigger.Manual) return null;
  return fifoStepTaskIdOf(deliveryIdOf(event._id, webhook._id), delivery.scheduledFailures);
}

/** An event's payload as held in memory: its JSON text, one or two bytes a character (an estimate from the length). */
function payloadBytes(event: EventDocument): number {
  return event.payloadJson.length;
}

function pendingDelivery(): Planned['delivery'] {
  return { status: DeliveryStatus.Pending, scheduledFailures: 0, nextAttemptAt: null, attempts: 0 };
}

/** An automatic retry that a manual success (or exhaustion) overtook has nothing left to do. */
function isSettledForAutomaticRetry(command: DeliveryCommand, delivery: Planned['delivery']): boolean {
  return (
    command.trigger === DeliveryTrigger.Automatic &&
    (delivery.status === DeliveryStatus.Delivered || delivery.status === DeliveryStatus.Failed)
  );
}
