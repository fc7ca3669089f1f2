import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { AppConfig } from '@app/config';
import { pingWithin } from './mongo-health.indicator';

const CHECK_EVERY_MS = 5_000;
/** Failing this long before the watchdog asks whether the database itself is away. */
const STUCK_AFTER_MS = 20_000;
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Reconnects a MongoDB client that stays cut off after its server came back. Seen in the database-outage
 * fault test: after FerretDB restarted under load, the API's driver kept failing server selection with the
 * old connection's error for minutes, while a dispatcher on the same database reconnected at once. Every
 * CHECK_EVERY_MS it pings; after STUCK_AFTER_MS of failures it asks a fresh client, and only when that one
 * gets an answer does it close and reconnect the app's client. A database that is really away is left to
 * the driver.
 */
@Injectable()
export class MongoClientWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MongoClientWatchdog.name);
  private timer?: NodeJS.Timeout;
  private failingSince: number | null = null;
  private checking = false;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if (await answers(this.connection.getClient())) {
        this.failingSince = null;
        return;
      }
      this.failingSince ??= Date.now();
      if (Date.now() - this.failingSince < STUCK_AFTER_MS) return;
      const fresh = new mongo.MongoClient(this.config.get('MONGODB_URI'), {
        serverSelectionTimeoutMS: PROBE_TIMEOUT_MS,
        connectTimeoutMS: PROBE_TIMEOUT_MS,
      });
      const databaseAnswers = await answers(fresh);
      await fresh.close(true).catch(() => undefined);
      if (!databaseAnswers) return;
      this.logger.warn('MongoDB answers a new client but not ours: reconnecting');
      const client = this.connection.getClient();
      await client.close(true);
      await client.connect();
      this.failingSince = null;
    } catch (error) {
      this.logger.warn(`MongoDB watchdog check failed: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}

async function answers(client: mongo.MongoClient): Promise<boolean> {
  return pingWithin(client, PROBE_TIMEOUT_MS + 1_000).then(
    () => true,
    () => false,
  );
}
