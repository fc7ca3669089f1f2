import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { ConsumerGroup, TOPIC_OF_GROUP } from '@app/contracts';
import { kafkaClientConfig } from '@app/kafka';
import { deliveringMembers } from './rate-share';

/** A count taken while the group rebalances (or that failed) is taken again this soon. */
const UNSETTLED_RETRY_MS = 1_000;
const READ_TIMEOUT_MS = 5_000;
const FAILURES_BEFORE_NEW_CLIENT = 3;

/**
 * How many dispatchers share the delivery commands, counted every ENDPOINT_RATE_SHARE_REFRESH through an
 * admin client of its own (one describeGroups request, nothing per delivery). Until the first count, and
 * while the broker cannot be asked, the last count stands (1 at start).
 */
@Injectable()
export class DispatcherGroupSize implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatcherGroupSize.name);
  private readonly refreshMs: number;
  private admin?: { client: Admin; connected: Promise<void> };
  private timer?: NodeJS.Timeout;
  private failing = false;
  private failuresInARow = 0;
  private stopped = false;
  private counted = 1;

  constructor(private readonly config: AppConfig) {
    this.refreshMs = config.durationMs('ENDPOINT_RATE_SHARE_REFRESH');
  }

  get members(): number {
    return this.counted;
  }

  onApplicationBootstrap(): void {
    void this.countAndSchedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.dropAdmin();
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.failuresInARow = 0;
    await admin?.client.disconnect().catch(() => undefined);
  }

  private async countAndSchedule(): Promise<void> {
    const settled = await this.count();
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.countAndSchedule(), settled ? this.refreshMs : UNSETTLED_RETRY_MS);
      this.timer.unref();
    }
  }

  /** False when the group was between assignments or the broker did not answer. */
  private async count(): Promise<boolean> {
    try {
      const admin = await this.connectedAdmin();
      const { groups } = await withTimeout(admin.describeGroups([ConsumerGroup.Dispatcher]), READ_TIMEOUT_MS);
      const members = groups[0] ? deliveringMembers(groups[0], TOPIC_OF_GROUP[ConsumerGroup.Dispatcher]) : null;
      if (this.failing) this.logger.log('Counting the dispatchers works again');
      this.failing = false;
      this.failuresInARow = 0;
      if (members === null) return false;
      if (members !== this.counted) this.logger.log(`Sharing webhook rate limits among ${members} dispatcher(s)`);
      this.counted = members;
      return true;
    } catch (error) {
      if (!this.failing) this.logger.warn(`Counting the dispatchers failed: ${(error as Error).message}`);
      this.failing = true;
      this.failuresInARow += 1;
      // A fresh client after repeated failures, not after each: a new one's first describeGroups may fail.
      if (this.failuresInARow >= FAILURES_BEFORE_NEW_CLIENT) await this.dropAdmin();
      return false;
    }
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      // Quiet, with few retries: a broker outage shows as one warning here; the last count stands.
      const kafka = new Kafka({
        ...kafkaClientConfig(this.config, 'group-size'),
        retry: { retries: 2, initialRetryTime: 100 },
        logLevel: logLevel.NOTHING,
      });
      const client = kafka.admin();
      this.admin = { client, connected: client.connect() };
    }
    await this.admin.connected;
    return this.admin.client;
  }
}
