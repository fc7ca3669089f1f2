import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { ConsumerGroup, deadLetterIdOf, DeadLetterV1, KafkaTopic, kafkaSourceIdOf } from '@app/contracts';
import { AppProcess } from '../support/app-process';
import { REPO_ROOT, testKafkaBrokers } from '../support/infra';
import { DeadLetters, TestKafka } from '../support/kafka-client';
import { TestReceiver } from '../support/receiver';
import { TestDatabase, TestWebhook } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

const run = promisify(execFile);

/**
 * Dead letters an operator can act on: a running dispatcher dead-letters a malformed command and one that
 * names an event not stored yet; `npm run cli -- dead-letters` lists them with their reasons, shows the
 * original bytes, and once the event exists replays the command to its source topic, where the dispatcher
 * delivers it once, however often it is replayed. The malformed one is refused at replay, still invalid.
 */
describe('npm run cli -- dead-letters (real Kafka, FerretDB and a receiver)', () => {
  const tenantId = `tenant-${randomUUID()}`;
  const marker = `dead-letters-cli-${randomUUID()}`;
  let db: TestDatabase;
  let kafka: TestKafka;
  let admin: Admin;
  let receiver: TestReceiver;
  let dispatcher: AppProcess;
  let deadLetters: DeadLetters;
  let webhook: TestWebhook;

  beforeAll(async () => {
    db = await TestDatabase.connect('dead_letters_cli');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    dispatcher = await startTestDispatcher('dead-letters-cli', db.uri, {
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
    });
    admin = new Kafka({
      clientId: 'dead-letters-cli-test',
      brokers: [testKafkaBrokers()],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    deadLetters = await kafka.collectDeadLetters();
    webhook = await db.createWebhook(tenantId, receiver.url('/dead-letters'));
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await admin?.disconnect();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  /** The CLI as the README tells operators to run it; resolves with its exit code and output either way. */
  const cli = async (...args: string[]): Promise<{ code: number; output: string }> => {
    const node = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/cli.ts'];
    const options = {
      cwd: REPO_ROOT,
      env: { ...process.env, KAFKA_BROKERS: testKafkaBrokers(), NODE_ENV: 'test', LOG_LEVEL: 'warn' },
      timeout: 90_000,
      // In a full run the topic holds every suite's letters: about 1.5 MB of list, past execFile's 1 MiB.
      maxBuffer: 64 * 2 ** 20,
    };
    try {
      const { stdout } = await run(process.execPath, [...node, 'dead-letters', ...args], options);
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  };

  const letterOf = (originalKey: string): Promise<DeadLetterV1> =>
    waitFor(`the dead letter of the message keyed ${originalKey}`, () =>
      deadLetters.byOriginalKey(KafkaTopic.DeliveryCommands).get(originalKey),
    );

  /** Every command published so far has been handled: the dispatcher's group committed up to the end offsets. */
  const untilDispatcherCaughtUp = async () => {
    const ends = await admin.fetchTopicOffsets(KafkaTopic.DeliveryCommands);
    await waitFor('the dispatcher to commit every command published so far', async () => {
      const [committed] = await admin.fetchOffsets({
        groupId: ConsumerGroup.Dispatcher,
        topics: [KafkaTopic.DeliveryCommands],
      });
      const offsetOf = new Map(committed.partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
      return ends.every(({ partition, high, low }) => high === low || (offsetOf.get(partition) ?? -1n) >= BigInt(high));
    });
  };

  it('lists, shows and replays dead-lettered commands; a replayed command is delivered once', async () => {
    // A command for an event that is not stored yet (without a commandId), and bytes that are not JSON.
    const eventId = randomUUID();
    const malformed = `{not json ${marker}`;
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: eventId, value: JSON.stringify({ version: 1, eventId, webhookId: webhook._id }) },
      { key: marker, value: malformed },
    ]);
    const unknownEvent = await letterOf(eventId);
    const notJson = await letterOf(marker);
    expect(unknownEvent.reason).toBe(`unknown event ${eventId}`);
    const [unknownId, notJsonId] = [deadLetterIdOf(unknownEvent), deadLetterIdOf(notJson)];

    const listed = await cli('list', '--topic', KafkaTopic.DeliveryCommands);
    expect(listed.code).toBe(0);
    const lineOf = (id: string) => listed.output.split('\n').find((line) => line.startsWith(`${id} `));
    expect(lineOf(unknownId)).toContain(`unknown event ${eventId}`);
    expect(lineOf(notJsonId)).toContain('value is not valid JSON');

    const shown = await cli('show', notJsonId);
    expect(shown.code).toBe(0);
    expect(shown.output).toContain(
      `source:     ${KafkaTopic.DeliveryCommands}, partition ${notJson.partition}, offset ${notJson.offset}`,
    );
    expect(shown.output).toContain(`reason:     ${notJson.reason}`);
    expect(shown.output).toContain(`key:        ${marker}`);
    expect(shown.output).toContain(`value:      ${Buffer.byteLength(malformed)} bytes, as text:\n${malformed}\n`);

    // The cause is fixed (the event is stored now): replay that one by its source offsets.
    await db.createEvent(tenantId, 'order.created', { marker }, [webhook], eventId);
    const replayed = await cli(
      'replay',
      '--topic',
      KafkaTopic.DeliveryCommands,
      '--partition',
      String(unknownEvent.partition),
      '--from',
      unknownEvent.offset,
      '--to',
      unknownEvent.offset,
    );
    expect(replayed.output).toContain(`replayed ${unknownId} to ${KafkaTopic.DeliveryCommands}`);
    expect(replayed.code).toBe(0);
    const [delivered] = await waitFor(
      'the replayed command delivered',
      () => receiver.received('/dead-letters')[0] && receiver.received('/dead-letters'),
    );
    expect(JSON.parse(delivered.body)).toMatchObject({ id: eventId, type: 'order.created', data: { marker } });

    // Again, with the malformed one beside it: nothing is sent twice, and the malformed one is refused.
    const again = await cli('replay', unknownId, notJsonId);
    expect(again.code).toBe(1);
    expect(again.output).toContain(`replayed ${unknownId} to ${KafkaTopic.DeliveryCommands}`);
    expect(again.output).toContain(`skipped ${notJsonId}: still invalid: value is not valid JSON`);
    await untilDispatcherCaughtUp();

    expect(receiver.received('/dead-letters')).toHaveLength(1);
    const attempts = await db.attemptsOf(eventId);
    expect(attempts).toHaveLength(1);
    // Both replays carried the id the original command would have had.
    expect(attempts[0].commandId).toBe(
      kafkaSourceIdOf(KafkaTopic.DeliveryCommands, unknownEvent.partition, unknownEvent.offset),
    );
    expect(
      deadLetters.from(KafkaTopic.DeliveryCommands).filter((letter) => letter.reason.includes(eventId)),
    ).toHaveLength(1);
  });

  it('says so when a letter asked for is not there', async () => {
    const missing = `${KafkaTopic.DeliveryCommands}:0:999999999`;
    const shown = await cli('show', missing);
    expect(shown.code).toBe(1);
    expect(shown.output).toContain(`No dead letter ${missing}`);
    const refused = await cli('replay', '--topic', 'webhooks.unknown.v1', '--from', '1', '--to', '2');
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('--topic must be a topic the service consumes');
  });
});
