import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { attemptIdOf, DeliveryCommand, DeliveryStatus, DeliveryTrigger, MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import {
  asTenantId,
  DeliveryAttemptRepository,
  DeliveryDocument,
  deliveryIdOf,
  DeliveryRepository,
  DeliveryTaskRepository,
  EventDocument,
  EventRepository,
  fifoStepTaskIdOf,
  subscribesTo,
  WebhookDocument,
  WebhookRepository,
  isDatabaseUnavailable,
  logOfAttempt,
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
import { AbandonedDeliveryError } from './abandoned-delivery';
import { DispatcherInstance } from './dispatcher-instance';
import { PartitionLease } from './partition-leases';
import { AttemptTarget, SendAttempt } from './send-attempt';
import { untilAvailable } from '@app/common';
import { inSpan, traceContextOf } from '@app/observability';

/** The command could not be acted on at all; its message goes to the dead-letter topic with this reason. */
export class UndeliverableCommandError extends Error {}

/**
 * Batches of several partitions read their events at once; each sizes its reads to this share of the
 * budget's free room, so together they overshoot it by at most a few events.
 */
const CONCURRENT_READERS = 4;

/** A target to send, or (`joins`) a copy of a command already under way here, which finishes with it. */
type Planned = AttemptTarget & { joins?: Promise<void> };

interface BatchWebhooks {
  byId: Map<string, WebhookDocument>;
  /** Active webhooks per tenant, oldest first. */
  activeOf: Map<string, WebhookDocument[]>;
}

/**
 * Turns a batch of validated commands, all of one partition held under its lease, into deliveries: one
 * read of the events, webhooks, delivery rows and attempts already made for the whole batch, then each
 * attempt through its endpoint's concurrency limit. An attempt's id follows from its command and webhook,
 * so a replayed command finds the attempt it made before a crash (published again, not sent again).
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
  private stopping = false;
  /** Deliveries started and not yet recorded, by attempt id: a copy of a command joins its original. */
  private readonly underway = new Map<string, Promise<void>>();

  constructor(
    private readonly events: EventRepository,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: DeliveryAttemptRepository,
    tasks: DeliveryTaskRepository,
    private readonly sendAttempt: SendAttempt,
    private readonly recorder: AttemptRecorder,
    private readonly fifo: FifoQueue,
    private readonly metrics: DispatcherMetrics,
    policy: DeliveryPolicy,
    config: AppConfig,
    groupSize: DispatcherGroupSize,
    instance: DispatcherInstance,
  ) {
    this.limiter = new EndpointLimiter(config.get('ENDPOINT_CONCURRENCY'));
    this.rates = new EndpointRateLimiter((rateLimit) => rateShare(rateLimit, groupSize.members));
    this.payloads = new PayloadBudget(config.get('DISPATCHER_MAX_IN_FLIGHT_BYTES'));
    this.claims = new ClaimBatcher(tasks, instance.id, policy.deliveryLeaseMs);
  }

  /** From now on, deliveries not yet sending are abandoned (AbandonedDeliveryError); those on the wire finish. */
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
  async execute(commands: DeliveryCommand[], lease: PartitionLease): Promise<Promise<void>[]> {
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
      const started = this.startDeliveries(part, plans, events, lease);
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
    lease: PartitionLease,
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
      return this.deliverAll(plan, lease).finally(() => doneWith(event));
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
    const planned = targetsByCommand.map((targets) => {
      if (targets instanceof Error) return targets;
      return targets
        .map(({ command, event, webhook }) => ({
          command,
          event,
          webhook,
          delivery: deliveryRows.get(deliveryIdOf(event._id, webhook._id)) ?? pendingDelivery(),
          attemptId: attemptIdOf(command.commandId, webhook._id),
        }))
        .filter((target) => !isSettledForAutomaticRetry(target.command, target.delivery))
        .filter((target) => !heldBack.has(deliveryIdOf(target.event._id, target.webhook._id)));
    });
    const made = await this.attemptsMade(planned.flatMap((targets) => (targets instanceof Error ? [] : targets)));
    return planned.map((targets) =>
      targets instanceof Error ? targets : targets.filter(({ attemptId }) => !made.has(attemptId)),
    );
  }

  /**
   * The attempts of these targets already stored (a replay after a crash or a rebalance), whose log
   * events are published again since the crash may have come first. A target whose delivery is under
   * way here is not looked up: it joins that delivery, taken now, since a delivery leaves `underway` only
   * once stored, and it may be stored before this read answers.
   */
  private async attemptsMade(targets: Planned[]): Promise<Set<string>> {
    for (const target of targets) target.joins = this.underway.get(target.attemptId);
    const unknown = targets.filter(({ joins }) => !joins);
    if (unknown.length === 0) return new Set();
    const stored = await this.attempts.findByIds(unknown.map(({ attemptId }) => attemptId));
    if (stored.length > 0) await this.recorder.republish(stored.map(logOfAttempt));
    return new Set(stored.map(({ _id }) => _id));
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

  private async deliverAll(targets: Planned[], lease: PartitionLease): Promise<void> {
    await Promise.all(
      targets.map((target) => target.joins ?? this.underway.get(target.attemptId) ?? this.start(target, lease)),
    );
  }

  private start(target: Planned, lease: PartitionLease): Promise<void> {
    // In the trace of the command's message: the active context is its whole batch's.
    const delivery = inSpan(
      'deliver',
      () => ({ attributes: deliveryAttributes(target) }),
      () => this.deliver(target, lease),
      traceContextOf(target.command),
    ).finally(() => this.underway.delete(target.attemptId));
    this.underway.set(target.attemptId, delivery);
    return delivery;
  }

  /**
   * Waits for a slot at the endpoint and for its rateLimit, then for the partition's lease to outlast the
   * request, sends and records it. Waiting first keeps a queue at a slow or rate-limited endpoint from
   * holding a partition another dispatcher should have; a delivery waiting for its rate is no attempt.
   */
  private async deliver(target: Planned, lease: PartitionLease): Promise<void> {
    const stepTaskId = fifoStepTaskId(target);
    let leave: (() => void) | undefined;
    try {
      const running = this.limiter.run(target.webhook._id, async () => {
        this.metrics.endpointQueued.set(this.limiter.queuedEverywhere);
        await this.rateTurn(target.webhook);
        if (this.stopping) throw new AbandonedDeliveryError('not started before shutdown');
        leave = await lease.enter();
        // FIFO: the original command and a release from the queue may both reach this step; one sends.
        if (stepTaskId) {
          const step = await this.claims.claim({ taskId: stepTaskId, attemptId: target.attemptId });
          if (step.outcome !== 'claimed') return undefined;
        }
        return this.sendAttempt.execute(target);
      });
      this.metrics.endpointQueued.set(this.limiter.queuedEverywhere);
      const finished = await running;
      if (finished) await this.recorder.record(finished.log, finished.effect);
    } finally {
      // Only now may the partition's next owner replay the command: it will find the attempt stored.
      leave?.();
    }
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
