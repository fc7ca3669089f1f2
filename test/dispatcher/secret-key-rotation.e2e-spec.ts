import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { KafkaTopic } from '@app/contracts';
import {
  SecretCipher,
  SecretKeyRing,
  secretKeyId,
  WEBHOOK_MODEL,
  WebhookDocument,
  WebhookSecretResealer,
} from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { DeadLetters, TestKafka } from '../support/kafka-client';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { TestDatabase, TestWebhook } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

const run = promisify(execFile);

/**
 * Changing the key that encrypts signing secrets at rest, while deliveries go on: a dispatcher holding the
 * new key and the old one signs every webhook with its own secret whichever key its secrets are under,
 * `secrets reencrypt` moves them all to the new key, and a dispatcher without the key a secret needs
 * sends nothing for it and says why.
 */
describe('Secrets at rest: changing the encryption key (real Kafka, FerretDB and receiver)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const underOldKey = new SecretCipher(new SecretKeyRing(Buffer.from(oldKey, 'base64')));
  const oldKeyId = secretKeyId(Buffer.from(oldKey, 'base64'));
  const newKeyId = secretKeyId(Buffer.from(newKey, 'base64'));
  const tenantId = `tenant-${randomUUID()}`;
  let db: TestDatabase;
  let kafka: TestKafka;
  let deadLetters: DeadLetters;
  let receiver: TestReceiver;
  let dispatcher: AppProcess | undefined;

  const startDispatcher = (keys: Record<string, string>) =>
    startTestDispatcher('dispatcher-secret-keys', db.uri, {
      ALLOW_PRIVATE_TARGETS: 'false',
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
      ...keys,
    });

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_secret_keys');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    dispatcher = await startDispatcher({ SECRETS_ENCRYPTION_KEY: newKey, SECRETS_DECRYPTION_KEYS: oldKey });
    deadLetters = await kafka.collectDeadLetters();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  /** The key id of each stored secret of these webhooks, read straight from the collection. */
  const keyIdsOf = async (webhooks: Pick<TestWebhook, '_id'>[]) => {
    const stored = await db.webhooks.collection
      .find<WebhookDocument>({ _id: { $in: webhooks.map((webhook) => webhook._id) } } as never)
      .toArray();
    const byId = new Map(stored.map((webhook) => [webhook._id, webhook.secrets.map((entry) => entry.secret)]));
    return webhooks.map((webhook) => byId.get(webhook._id)!.map((secret) => SecretCipher.keyIdOf(secret)));
  };

  /** One event per webhook, sent through Kafka; resolves to the signed request each webhook got. */
  const deliverToEach = async (webhooks: TestWebhook[], round: string) => {
    const events = await Promise.all(
      webhooks.map((webhook) => db.createEvent(tenantId, 'key.rotation', { round }, [webhook])),
    );
    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      events.map((event, index) => ({
        key: event._id,
        value: JSON.stringify({ version: 1, eventId: event._id, webhookId: webhooks[index]._id }),
      })),
    );
    return waitFor(`a request at each webhook (${round})`, () => {
      const requests = webhooks.map((webhook, index) =>
        receiver
          .received(new URL(webhook.url).pathname)
          .find((each) => each.headers['webhook-id'] === events[index]._id),
      );
      return requests.every(Boolean) ? requests.map((request) => request!) : undefined;
    });
  };

  /** Each request verifies with its own webhook's secret (standardwebhooks), and not with another's. */
  const expectSignedByOwnSecret = (webhooks: TestWebhook[], requests: ReceivedRequest[]) => {
    requests.forEach((request, index) => {
      const headers = request.headers as Record<string, string>;
      const own = webhooks[index].signingSecrets[0].secret;
      const another = webhooks[(index + 1) % webhooks.length].signingSecrets[0].secret;
      expect(new Webhook(own).verify(request.body, headers)).toMatchObject({ type: 'key.rotation' });
      expect(() => new Webhook(another).verify(request.body, headers)).toThrow();
    });
  };

  it('signs with the right secret halfway through a re-encryption, and after it', async () => {
    const webhooks: TestWebhook[] = [];
    for (let index = 0; index < 4; index += 1) {
      webhooks.push(await db.createWebhook(tenantId, receiver.url(`/rotation/${index}`), { cipher: underOldKey }));
    }
    webhooks.sort((a, b) => (a._id < b._id ? -1 : 1));

    // Halfway: one batch of two (in _id order) moved to the new key, the other two still under the old one.
    const resealer = new WebhookSecretResealer(
      db.connection.model<WebhookDocument>(WEBHOOK_MODEL),
      new SecretCipher(new SecretKeyRing(Buffer.from(newKey, 'base64'), [Buffer.from(oldKey, 'base64')])),
    );
    const firstBatch = await resealer.resealBatch('all', null, 2);
    expect(firstBatch).toMatchObject({ scanned: 2, resealed: 2, lastId: webhooks[1]._id });
    expect(await keyIdsOf(webhooks)).toEqual([[newKeyId], [newKeyId], [oldKeyId], [oldKeyId]]);

    expectSignedByOwnSecret(webhooks, await deliverToEach(webhooks, 'halfway'));

    // The operator's command finishes the job, in batches of one, from where the first batch stopped.
    const keys = { SECRETS_ENCRYPTION_KEY: newKey, SECRETS_DECRYPTION_KEYS: oldKey };
    const cli = await runCli(['secrets', 'reencrypt', '--batch-size', '1', '--after', firstBatch.lastId!], keys);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain(`scanned 2 webhook(s), re-encrypted 2`);
    expect(await keyIdsOf(webhooks)).toEqual(webhooks.map(() => [newKeyId]));

    expectSignedByOwnSecret(webhooks, await deliverToEach(webhooks, 'after'));

    // Run again from the start: nothing left to move.
    const again = await runCli(['secrets', 'reencrypt'], keys);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`Every webhook secret is under key ${newKeyId}`);
  });

  it('without the key a secret needs, sends nothing for that webhook, dead-letters the command with why, and goes on', async () => {
    await dispatcher?.stop();
    dispatcher = await startDispatcher({ SECRETS_ENCRYPTION_KEY: newKey, SECRETS_DECRYPTION_KEYS: '' });
    const stranded = await db.createWebhook(tenantId, receiver.url('/rotation/forgotten-key'), { cipher: underOldKey });
    const fine = await db.createWebhook(tenantId, receiver.url('/rotation/current-key'), {
      cipher: new SecretCipher(new SecretKeyRing(Buffer.from(newKey, 'base64'))),
    });
    const [lost, delivered] = await Promise.all(
      [stranded, fine].map((webhook) => db.createEvent(tenantId, 'key.rotation', { round: 'missing key' }, [webhook])),
    );

    // One partition: the command after the refused one must still go.
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      {
        key: lost._id,
        partition: 3,
        value: JSON.stringify({ version: 1, eventId: lost._id, webhookId: stranded._id }),
      },
      {
        key: delivered._id,
        partition: 3,
        value: JSON.stringify({ version: 1, eventId: delivered._id, webhookId: fine._id }),
      },
    ]);

    const [request] = await waitFor('the delivery under the current key', () => {
      const received = receiver.received('/rotation/current-key');
      return received.length > 0 ? received : undefined;
    });
    const headers = request.headers as Record<string, string>;
    expect(new Webhook(fine.signingSecrets[0].secret).verify(request.body, headers)).toMatchObject({
      id: delivered._id,
    });
    const letter = await waitFor('the dead letter', () =>
      deadLetters.byOriginalKey(KafkaTopic.DeliveryCommands).get(lost._id),
    );
    expect(letter.reason).toMatch(new RegExp(`key id ${oldKeyId}, which is not configured`));
    expect(receiver.received('/rotation/forgotten-key')).toEqual([]);

    // The operator's command says the same, and leaves the value as it is.
    const cli = await runCli(['secrets', 'reencrypt'], { SECRETS_ENCRYPTION_KEY: newKey, SECRETS_DECRYPTION_KEYS: '' });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`webhook ${stranded._id} left as it is`);
    expect(await keyIdsOf([stranded])).toEqual([[oldKeyId]]);
  });

  /** `npm run cli -- ...` as its own process on this suite's database, with the given keys. */
  async function runCli(args: string[], keys: Record<string, string>): Promise<{ code: number; stdout: string }> {
    const env = { ...process.env, MONGODB_URI: db.uri, NODE_ENV: 'test', SECRETS_ENCRYPTION_KEY_FILE: '', ...keys };
    try {
      const { stdout } = await run(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/cli.ts', ...args],
        { cwd: REPO_ROOT, env, timeout: 120_000 },
      );
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  }
});
