import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Gauge } from 'prom-client';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { ConsumerGroup, TOPIC_OF_GROUP } from '@app/contracts';
import { metricsRegistry } from '@app/observability';
import { kafkaClientConfig } from './kafka-options';

/** Scrapes within this long of a read are answered from it, so several scrapers cost the broker one read. */
const LAG_CACHE_MS = 2_000;
/** A slower read is given up: /metrics then answers without the lag instead of hanging on the broker. */
const LAG_READ_TIMEOUT_MS = 3_000;

const MEASURED_GROUPS = Symbol('MEASURED_GROUPS');

export interface PartitionEnd {
  partition: number;
  /** The offset the next message will get (kafkajs' `high`). */
  high: string;
  /** The oldest offset still in the log. */
  low: string;
}

export interface CommittedOffset {
  partition: number;
  /** The group's next offset to read; -1 when it never committed. */
  offset: string;
}

/**
 * Messages of each partition the group has not committed. With no commit, or one below the log start
 * (retention deleted what it pointed at), the group starts at the log start: every consumer here
 * subscribes `fromBeginning`.
 */
export function partitionLags(
  ends: PartitionEnd[],
  committed: CommittedOffset[],
): { partition: number; lag: number }[] {
  const committedOf = new Map(committed.map(({ partition, offset }) => [partition, Number(offset)]));
  return ends
    .map(({ partition, high, low }) => {
      const next = Math.max(committedOf.get(partition) ?? -1, Number(low));
      return { partition, lag: Math.max(0, Number(high) - next) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * `webhook_consumer_group_lag{group,topic,partition}`: committed offsets against end offsets, for the
 * groups this process consumes, read when Prometheus scrapes (at most once per LAG_CACHE_MS, whoever asks)
 * through one admin client of its own, so no consumer waits on it. Uncommitted work counts as lag: a
 * dispatcher holding deliveries open has not finished them. A failed read leaves the gauge empty (no
 * stale figures) until a read succeeds.
 */
@Injectable()
export class ConsumerGroupLagMetrics implements OnApplicationShutdown {
  private readonly logger = new Logger(ConsumerGroupLagMetrics.name);
  private readonly gauge: Gauge<'group' | 'topic' | 'partition'>;
  private admin?: { client: Admin; connected: Promise<void> };
  private reading?: Promise<void>;
  private readAt = 0;
  private failing = false;

  constructor(
    private readonly config: AppConfig,
    @Inject(MEASURED_GROUPS) private readonly groups: readonly ConsumerGroup[],
  ) {
    const refresh = () => this.refresh();
    this.gauge = new Gauge({
      name: 'webhook_consumer_group_lag',
      help: 'Messages between the consumer group committed offset and the end of the partition.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [metricsRegistry],
      collect: refresh,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dropAdmin();
  }

  /** Reads again unless the last read is recent; concurrent scrapes share one read. */
  refresh(): Promise<void> {
    if (Date.now() - this.readAt < LAG_CACHE_MS) return Promise.resolve();
    this.reading ??= this.read().finally(() => {
      this.readAt = Date.now();
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      const groups = await withTimeout(this.readGroups(), LAG_READ_TIMEOUT_MS);
      this.gauge.reset();
      for (const { group, topic, lags } of groups) {
        for (const { partition, lag } of lags) this.gauge.set({ group, topic, partition: String(partition) }, lag);
      }
      if (this.failing) this.logger.log('Reading consumer group lag works again');
      this.failing = false;
    } catch (error) {
      this.gauge.reset();
      if (!this.failing) this.logger.warn(`Reading consumer group lag failed: ${(error as Error).message}`);
      this.failing = true;
      await this.dropAdmin();
    }
  }

  /** One request at a time: concurrent requests on one kafkajs admin failed ("No brokers in the broker pool"). */
  private async readGroups() {
    const admin = await this.connectedAdmin();
    const groups = [];
    for (const group of this.groups) {
      const topic = TOPIC_OF_GROUP[group];
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      groups.push({ group, topic, lags: partitionLags(ends, committed?.partitions ?? []) });
    }
    return groups;
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      // Quiet and without retries: a broker outage shows as one warning here and an empty gauge.
      const kafka = new Kafka({
        ...kafkaClientConfig(this.config, 'lag'),
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      });
      const client = kafka.admin();
      this.admin = { client, connected: client.connect() };
    }
    await this.admin.connected;
    return this.admin.client;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.client.disconnect().catch(() => undefined);
  }
}

/** Exports the lag of the consumer groups the importing app runs (see ConsumerGroupLagMetrics). */
@Module({})
export class ConsumerGroupLagModule {
  static forGroups(...groups: ConsumerGroup[]): DynamicModule {
    return {
      module: ConsumerGroupLagModule,
      providers: [{ provide: MEASURED_GROUPS, useValue: groups }, ConsumerGroupLagMetrics],
    };
  }
}
