import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
// Types only: loading @app/persistence loads the configuration, which must wait for startApiTestApp's env.
import type { SealedSecret, WebhookDocument } from '@app/persistence';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

/**
 * Webhook signing secrets are encrypted at rest: what the API hands out on create and rotate appears in
 * no document of the database, and secrets stored in plaintext before encryption are sealed by a one-time
 * migration at start-up.
 */
describe('Webhook signing secrets at rest', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;
  let connection: Connection;
  let persistence: typeof import('@app/persistence');

  beforeAll(async () => {
    api = await startApiTestApp('secrets_at_rest', { SECRET_ROTATION_GRACE: '1h' });
    persistence = await import('@app/persistence');
    connection = api.app.get<Connection>(getConnectionToken());
    tenant = await api.newTenant();
  });
  afterAll(async () => api?.close());

  const cipher = () => api.app.get(persistence.SecretCipher);
  const storedWebhooks = (ids: string[]) =>
    connection
      .db!.collection<WebhookDocument>('webhooks')
      .find({ _id: { $in: ids } })
      .toArray();
  const everyDocumentAsJson = async () => {
    const texts: string[] = [];
    for (const { name } of await connection.db!.listCollections({}, { nameOnly: true }).toArray()) {
      texts.push(...(await connection.db!.collection(name).find().toArray()).map((doc) => JSON.stringify(doc)));
    }
    return texts;
  };

  it('stores only ciphertext: no document in the database holds a secret the API showed', async () => {
    const shown: string[] = [];
    const ids: string[] = [];
    for (const url of ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']) {
      const created = await api.http().post('/v1/webhooks').set(tenant.auth).send({ url }).expect(201);
      ids.push(created.body.data.webhookId);
      shown.push(created.body.data.secret);
    }
    for (let rotation = 0; rotation < 2; rotation += 1) {
      const rotated = await api.http().post(`/v1/webhooks/${ids[0]}/secret/rotate`).set(tenant.auth).expect(200);
      shown.push(rotated.body.data.secret);
    }
    expect(shown.every((secret) => /^whsec_[A-Za-z0-9+/]{43}=$/.test(secret))).toBe(true);

    const stored = await storedWebhooks(ids);
    const sealed = stored.flatMap((webhook) => webhook.secrets.map((entry) => entry.secret));
    expect(sealed).toHaveLength(shown.length);
    for (const value of sealed) expect(value).toMatch(new RegExp(`^v1:${cipher().currentKeyId}:`));
    // The app opens them again, newest first, through the one helper the dispatcher signs with.
    const openedOf = (id: string) => {
      const webhook = stored.find((each) => each._id === id)!;
      return persistence.openWebhookSecrets(cipher(), id, webhook.secrets).map((entry) => entry.secret);
    };
    expect(openedOf(ids[0])).toEqual([shown[3], shown[2], shown[0]]);
    expect(openedOf(ids[1])).toEqual([shown[1]]);

    const database = await everyDocumentAsJson();
    expect(database.length).toBeGreaterThan(2);
    for (const text of database) {
      expect(text).not.toContain('whsec_');
      for (const secret of shown) expect(text).not.toContain(secret.slice('whsec_'.length));
    }
  });

  it('encrypts plaintext secrets stored before encryption once, with several processes migrating together', async () => {
    const now = new Date(Date.now() - 60_000);
    const legacy = [0, 1, 2].map((index) =>
      persistence.newWebhook(
        {
          _id: randomUUID(),
          tenantId: tenant.tenantId,
          url: `http://127.0.0.1:9/legacy/${index}`,
          secrets: [
            {
              secret: `whsec_${Buffer.alloc(32, index + 1).toString('base64')}` as SealedSecret,
              createdAt: now,
              expiresAt: null,
            },
          ],
        },
        now,
      ),
    );
    await connection.db!.collection<WebhookDocument>('webhooks').insertMany(legacy);
    await connection.db!.collection<{ _id: string }>('migrations').deleteOne({ _id: 'encrypt-webhook-secrets' });

    // Two processes starting at once: this app's migrator and another one on the same database.
    const other = new persistence.SchemaMigrator(
      connection,
      api.app.get(persistence.WebhookSecretResealer),
      api.app.get(persistence.ApiTokenRepository),
    );
    await Promise.all([api.app.get(persistence.SchemaMigrator).onModuleInit(), other.onModuleInit()]);

    const stored = await storedWebhooks(legacy.map((webhook) => webhook._id));
    expect(stored).toHaveLength(3);
    for (const webhook of stored) {
      const before = legacy.find((each) => each._id === webhook._id)!;
      expect(webhook.secrets[0].secret).toMatch(new RegExp(`^v1:${cipher().currentKeyId}:`));
      expect(webhook.updatedAt).toEqual(before.updatedAt);
      expect(persistence.openWebhookSecrets(cipher(), webhook._id, webhook.secrets)).toEqual(before.secrets);
    }
    expect(
      await connection.db!.collection<{ _id: string }>('migrations').findOne({ _id: 'encrypt-webhook-secrets' }),
    ).toMatchObject({ completedAt: expect.any(Date) });
    for (const text of await everyDocumentAsJson()) expect(text).not.toContain('whsec_');

    // A migrated webhook rotates like any other, its old secret kept (sealed) for the grace period.
    const rotated = await api.http().post(`/v1/webhooks/${legacy[0]._id}/secret/rotate`).set(tenant.auth).expect(200);
    const [afterRotation] = await storedWebhooks([legacy[0]._id]);
    expect(
      persistence.openWebhookSecrets(cipher(), afterRotation._id, afterRotation.secrets).map((entry) => entry.secret),
    ).toEqual([rotated.body.data.secret, legacy[0].secrets[0].secret]);
  });
});
