import { randomBytes, randomUUID } from 'node:crypto';
import {
  asTenantId,
  newWebhook,
  openWebhookSecrets,
  SealedSecret,
  SecretCipher,
  SecretKeyRing,
  sealWebhookSecrets,
  WEBHOOK_MODEL,
  WebhookDocument,
  WebhookRepository,
  WebhookSecretResealer,
} from '@app/persistence';
import { testDbEngine } from '../support/infra';
import { newSecret, TestDatabase, TestWebhook } from '../support/test-database';

/**
 * `secrets reencrypt` underneath: secrets move to the current key in batches, a pass can stop and go on
 * after the last id it did, plaintext from before encryption is sealed too, a rotation that lands between
 * a batch's read and its write is kept, and a value no key opens is reported and left alone.
 */
describe(`WebhookSecretResealer (${testDbEngine()})`, () => {
  const [oldKey, newKey, lostKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const underOld = new SecretCipher(new SecretKeyRing(oldKey));
  const current = new SecretCipher(new SecretKeyRing(newKey, [oldKey]));
  const tenantId = `tenant-${randomUUID()}`;
  let db: TestDatabase;
  let resealer: WebhookSecretResealer;

  beforeEach(async () => {
    // A database per test: a pass covers the whole collection.
    db = await TestDatabase.connect(`resealer_${randomUUID().slice(0, 8)}`);
    resealer = new WebhookSecretResealer(db.connection.model<WebhookDocument>(WEBHOOK_MODEL), current);
  });
  afterEach(async () => db?.close());

  const stored = async (ids: string[]) => {
    const rows = await db.webhooks.collection.find<WebhookDocument>({ _id: { $in: ids } } as never).toArray();
    return ids.map((id) => rows.find((row) => row._id === id)!);
  };
  const keyIds = (webhook: WebhookDocument) => webhook.secrets.map((entry) => SecretCipher.keyIdOf(entry.secret));
  const opened = (webhook: WebhookDocument) => openWebhookSecrets(current, webhook._id, webhook.secrets);
  const plaintexts = (webhook: TestWebhook) => webhook.signingSecrets.map((entry) => entry.secret);

  it('moves every secret to the current key in batches, and a stopped pass goes on after its last id', async () => {
    const now = new Date();
    const webhooks = [
      await db.createWebhook(tenantId, 'https://receiver.example/1', { cipher: underOld }),
      await db.createWebhook(tenantId, 'https://receiver.example/2', {
        cipher: underOld,
        secrets: [
          { secret: newSecret(), createdAt: now, expiresAt: null },
          { secret: newSecret(), createdAt: now, expiresAt: new Date(now.getTime() + 60_000) },
        ],
      }),
      await db.createWebhook(tenantId, 'https://receiver.example/3', { cipher: current }),
      await db.createWebhook(tenantId, 'https://receiver.example/4', { cipher: underOld }),
    ];
    const legacySecret = newSecret();
    const legacy = newWebhook(
      {
        _id: randomUUID(),
        tenantId,
        url: 'https://receiver.example/legacy',
        secrets: [{ secret: legacySecret as SealedSecret, createdAt: now, expiresAt: null }],
      },
      now,
    );
    await db.webhooks.collection.insertOne(legacy as never);
    const ids = [...webhooks.map((webhook) => webhook._id), legacy._id];
    const before = await stored(ids);

    const first = await resealer.resealBatch('all', null, 2);
    expect(first).toMatchObject({ scanned: 2, unreadable: [], skipped: 0 });
    const rest = await resealer.resealAll('all', { after: first.lastId, batchSize: 2 });
    expect(rest).toMatchObject({ scanned: 3, unreadable: [], skipped: 0 });
    // Webhook 3 was under the current key already.
    expect(first.resealed + rest.resealed).toBe(4);

    const after = await stored(ids);
    for (const webhook of after) {
      expect(keyIds(webhook).every((id) => id === current.currentKeyId)).toBe(true);
      expect(webhook.updatedAt).toEqual(before.find((each) => each._id === webhook._id)!.updatedAt);
    }
    webhooks.forEach((webhook, index) => {
      expect(opened(after[index]).map((entry) => entry.secret)).toEqual(plaintexts(webhook));
      expect(after[index].secrets.map((entry) => entry.expiresAt)).toEqual(webhook.secrets.map((e) => e.expiresAt));
    });
    expect(opened(after[4]).map((entry) => entry.secret)).toEqual([legacySecret]);
    expect(JSON.stringify(after)).not.toContain('whsec_');

    expect(await resealer.resealAll('all')).toMatchObject({ scanned: 5, resealed: 0 });
  });

  it('only seals plaintext in the start-up scope, leaving older keys to `secrets reencrypt`', async () => {
    const underOldKey = await db.createWebhook(tenantId, 'https://receiver.example/old', { cipher: underOld });

    expect(await resealer.resealAll('plaintext')).toMatchObject({ scanned: 1, resealed: 0 });
    expect(keyIds((await stored([underOldKey._id]))[0])).toEqual([SecretCipher.keyIdOf(underOldKey.secrets[0].secret)]);
  });

  it('keeps a rotation that lands between a batch’s read and its write', async () => {
    const webhook = await db.createWebhook(tenantId, 'https://receiver.example/rotating', { cipher: underOld });
    const rotatedTo = newSecret();
    const model = db.connection.model<WebhookDocument>(WEBHOOK_MODEL);
    const bulkWrite = model.bulkWrite.bind(model);
    jest.spyOn(model, 'bulkWrite').mockImplementationOnce(async (operations, options) => {
      // What the API's rotation writes: the new secret first, under the current key, updatedAt moved on.
      const rotated = sealWebhookSecrets(current, webhook._id, [
        { secret: rotatedTo, createdAt: new Date(), expiresAt: null },
      ]);
      expect(
        await new WebhookRepository(model).replaceSecrets(
          asTenantId(tenantId),
          webhook._id,
          webhook.updatedAt,
          rotated,
        ),
      ).toBe(true);
      return bulkWrite(operations as never, options);
    });

    expect(await resealer.resealAll('all')).toMatchObject({ scanned: 1, resealed: 0, skipped: 0 });
    const [after] = await stored([webhook._id]);
    expect(opened(after).map((entry) => entry.secret)).toEqual([rotatedTo]);
  });

  it('reports a webhook no configured key opens and leaves it as it is', async () => {
    const lost = await db.createWebhook(tenantId, 'https://receiver.example/lost', {
      cipher: new SecretCipher(new SecretKeyRing(lostKey)),
    });
    const fine = await db.createWebhook(tenantId, 'https://receiver.example/fine', { cipher: underOld });

    const outcome = await resealer.resealAll('all');
    expect(outcome).toMatchObject({ scanned: 2, resealed: 1, skipped: 0 });
    expect(outcome.unreadable).toEqual([
      { webhookId: lost._id, reason: expect.stringMatching(/which is not configured/) },
    ]);
    const [lostAfter, fineAfter] = await stored([lost._id, fine._id]);
    expect(lostAfter.secrets).toEqual(lost.secrets);
    expect(keyIds(fineAfter)).toEqual([current.currentKeyId]);
  });
});
