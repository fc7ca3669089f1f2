import { randomUUID } from 'node:crypto';
import {
  asTenantId,
  LAST_SUCCESS_PRECISION_MS,
  WEBHOOK_MODEL,
  WebhookDocument,
  WebhookHealthOutcome,
  WebhookRepository,
} from '@app/persistence';
import { TestDatabase } from '../support/test-database';

/**
 * What a batch of attempts writes to its webhooks, against the real test database: a failure starts a
 * streak once, a success ends it, a steady run of successes rewrites `lastSuccessAt` at most once per
 * LAST_SUCCESS_PRECISION_MS, and a disable reason switches the webhook off once.
 */
describe('WebhookRepository.applyHealth', () => {
  let db: TestDatabase;
  let webhooks: WebhookRepository;
  const tenantId = asTenantId(`tenant-${randomUUID()}`);

  beforeAll(async () => {
    db = await TestDatabase.connect('webhook_health');
    webhooks = new WebhookRepository(db.connection.model<WebhookDocument>(WEBHOOK_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const stored = async (webhookId: string) => (await webhooks.findById(tenantId, webhookId))!;
  const outcome = (webhookId: string, success: boolean, at: Date, disableReason: string | null = null) =>
    ({ tenantId, webhookId, success, at, disableReason }) satisfies WebhookHealthOutcome;

  it('starts a failure streak once, ends it with a success, and keeps a recent success as it is', async () => {
    const { _id: webhookId } = await db.createWebhook(tenantId, 'https://receiver.example/health');
    const start = new Date(Date.now() - 10 * LAST_SUCCESS_PRECISION_MS);
    const at = (ms: number) => new Date(start.getTime() + ms);

    await webhooks.applyHealth([outcome(webhookId, false, at(0))]);
    await webhooks.applyHealth([outcome(webhookId, false, at(1_000))]);
    expect(await stored(webhookId)).toMatchObject({ failingSince: at(0), lastSuccessAt: null });

    await webhooks.applyHealth([outcome(webhookId, true, at(2_000))]);
    expect(await stored(webhookId)).toMatchObject({ failingSince: null, lastSuccessAt: at(2_000) });

    // Within the precision nothing is rewritten; past it the newer success is stored.
    await webhooks.applyHealth([outcome(webhookId, true, at(3_000))]);
    expect((await stored(webhookId)).lastSuccessAt).toEqual(at(2_000));
    await webhooks.applyHealth([outcome(webhookId, true, at(3_000 + LAST_SUCCESS_PRECISION_MS))]);
    expect((await stored(webhookId)).lastSuccessAt).toEqual(at(3_000 + LAST_SUCCESS_PRECISION_MS));

    // A failure right after a recent success still starts a streak.
    await webhooks.applyHealth([outcome(webhookId, false, at(4_000 + LAST_SUCCESS_PRECISION_MS))]);
    expect((await stored(webhookId)).failingSince).toEqual(at(4_000 + LAST_SUCCESS_PRECISION_MS));
  });

  it('disables a webhook once, with the first reason, in the same bulk write as the others', async () => {
    const gone = await db.createWebhook(tenantId, 'https://receiver.example/gone');
    const healthy = await db.createWebhook(tenantId, 'https://receiver.example/healthy');
    const at = new Date();

    await webhooks.applyHealth([
      outcome(gone._id, false, at, 'The endpoint answered 410 Gone'),
      outcome(healthy._id, true, at),
    ]);
    await webhooks.applyHealth([outcome(gone._id, false, new Date(), 'Another reason')]);

    expect(await stored(gone._id)).toMatchObject({
      active: false,
      disabledReason: 'The endpoint answered 410 Gone',
      disabledAt: at,
    });
    expect(await stored(healthy._id)).toMatchObject({ active: true, lastSuccessAt: at, failingSince: null });
  });

  it('leaves another tenant’s webhook alone', async () => {
    const { _id: webhookId } = await db.createWebhook(tenantId, 'https://receiver.example/mine');
    await webhooks.applyHealth([
      { ...outcome(webhookId, false, new Date(), 'not yours'), tenantId: asTenantId('someone-else') },
    ]);
    expect(await stored(webhookId)).toMatchObject({ active: true, failingSince: null });
  });
});
