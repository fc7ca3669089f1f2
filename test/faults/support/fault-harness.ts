import { randomUUID } from 'node:crypto';
import { KafkaTopic } from '@app/contracts';
import { issueTokenWithCli } from '../../console/support/issue-token';
import { AppProcess } from '../../support/app-process';
import { testKafkaBrokers } from '../../support/infra';
import { TestKafka } from '../../support/kafka-client';
import { TestReceiver } from '../../support/receiver';
import { TestDatabase } from '../../support/test-database';
import { connectTestDatabaseAt } from './dedicated-database';
import { DedicatedFerretDb, DedicatedKafka } from './dedicated-infra';
import { auditDeliveries, DeliveryAudit, ExpectedDelivery } from './delivery-audit';
import { EventLoad } from './event-load';
import { ApiClient, AppFleet, FAST_DISPATCHER_ENV, LOAD_API_ENV } from './fault-apps';

/** The servers a fault stops or restarts, which the test therefore runs itself instead of sharing. */
export interface DedicatedServers {
  kafka?: DedicatedKafka;
  ferretdb?: DedicatedFerretDb;
}

export interface ApiTenant {
  tenantId: string;
  /** The tenant's view of the API, with a token issued through the CLI as the README tells operators. */
  client: ApiClient;
}

/**
 * What every fault test sets up and tears down around its fault: a database of its own, a Kafka client,
 * the webhook receiver, the app processes and any client load, on the shared test stack or on dedicated
 * servers. setUp() belongs in beforeAll and tearDown() in afterAll; tearDown also cleans up after a
 * setUp or a test that failed half-way.
 */
export class FaultHarness {
  private readonly fleet = new AppFleet();
  private readonly loads: EventLoad[] = [];
  private database?: TestDatabase;
  private kafkaClient?: TestKafka;
  private httpReceiver?: TestReceiver;

  /** `name` labels the app logs (`<name>-api.log`, ...) and names the database (`faults-x` → `faults_x`). */
  constructor(
    private readonly name: string,
    private readonly dedicated: DedicatedServers = {},
  ) {}

  async setUp(): Promise<void> {
    // From empty data, so no topic, offset or document of an earlier run is found.
    await this.dedicated.kafka?.startFresh();
    await this.dedicated.ferretdb?.startFresh();
    const databaseName = this.name.replace(/-/g, '_');
    this.database = this.dedicated.ferretdb
      ? await connectTestDatabaseAt(this.dedicated.ferretdb.port, databaseName)
      : await TestDatabase.connect(databaseName);
    this.kafkaClient = new TestKafka(this.brokers);
    this.httpReceiver = await new TestReceiver().start();
  }

  /** Client load first: its retries would otherwise run against apps already killed. */
  async tearDown(): Promise<void> {
    await Promise.all(this.loads.map((load) => load.stop()));
    await this.fleet.killAll();
    await this.httpReceiver?.stop();
    await this.kafkaClient?.close();
    await this.database?.close();
    await this.dedicated.ferretdb?.stop();
    await this.dedicated.kafka?.stop();
  }

  get db(): TestDatabase {
    return this.ready(this.database);
  }

  /** A kafkajs client on the same broker as the apps. */
  get kafka(): TestKafka {
    return this.ready(this.kafkaClient);
  }

  get receiver(): TestReceiver {
    return this.ready(this.httpReceiver);
  }

  get brokers(): string {
    return this.dedicated.kafka?.brokers ?? testKafkaBrokers();
  }

  /** The API, configured to take a load generator's traffic (see LOAD_API_ENV). */
  startApi(): Promise<AppProcess> {
    return this.fleet.start('api', { ...LOAD_API_ENV, ...this.appEnv() }, `${this.name}-api`);
  }

  /**
   * A dispatcher with the short timeouts and retries of FAST_DISPATCHER_ENV and any `env` of the test's
   * own; `role` tells several apart in the logs.
   */
  startDispatcher(role = 'dispatcher', env: Record<string, string> = {}): Promise<AppProcess> {
    return this.fleet.start('dispatcher', { ...FAST_DISPATCHER_ENV, ...env, ...this.appEnv() }, `${this.name}-${role}`);
  }

  /** A new tenant (`<prefix>-<random>`) with a token for the API started by startApi(). */
  async newApiTenant(api: AppProcess, prefix: string): Promise<ApiTenant> {
    const tenantId = `${prefix}-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli(this.appEnv(), tenantId);
    return { tenantId, client: new ApiClient(api.port, token) };
  }

  /** Clients posting events through `client` until stopped; tearDown() stops it if the test did not. */
  startLoad(client: ApiClient, prefix: string): EventLoad {
    const load = new EventLoad(client, `${prefix}-${randomUUID().slice(0, 8)}`).start();
    this.loads.push(load);
    return load;
  }

  /** Initial delivery commands straight onto Kafka, as the API publishes them after storing an event. */
  async publishDeliveryCommands(deliveries: ExpectedDelivery[]): Promise<void> {
    // In batches, to keep each produce request well under the broker's 1 MB limit.
    for (let start = 0; start < deliveries.length; start += 500) {
      await this.kafka.publish(
        KafkaTopic.DeliveryCommands,
        deliveries.slice(start, start + 500).map(({ eventId, webhookId }) => ({
          key: eventId,
          value: JSON.stringify({ version: 1, commandId: `cmd-${eventId}`, eventId, webhookId, trigger: 'initial' }),
        })),
      );
    }
  }

  /**
   * auditDeliveries against this test's database and receiver. `receiverPath` is where the webhooks post
   * to: one path for all, or one per webhook.
   */
  audit(
    expected: ExpectedDelivery[],
    receiverPath: string | ((webhookId: string) => string),
    timeoutMs: number,
  ): Promise<DeliveryAudit> {
    const pathOf = typeof receiverPath === 'string' ? () => receiverPath : receiverPath;
    const requestsFor = (webhookId: string) => this.receiver.received(pathOf(webhookId));
    return auditDeliveries(this.db.attempts, expected, requestsFor, timeoutMs);
  }

  private appEnv(): Record<string, string> {
    return { KAFKA_BROKERS: this.brokers, MONGODB_URI: this.db.uri };
  }

  private ready<T>(resource: T | undefined): T {
    if (resource === undefined) throw new Error(`${this.name}: FaultHarness.setUp() has not completed`);
    return resource;
  }
}
