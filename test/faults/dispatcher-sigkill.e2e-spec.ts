import { randomUUID } from 'node:crypto';
import { WebhookDocument } from '@app/persistence';
import { waitFor } from '../support/wait-for';
import { firstDeliveryAfter } from './support/delivery-audit';
import { FaultHarness } from './support/fault-harness';
import { reportFigures, secondsSince } from './support/figures';

/** Commands in the run (FAULT_SIGKILL_COMMANDS to change it); the kill comes once a quarter have arrived. */
const COMMANDS = Number(process.env.FAULT_SIGKILL_COMMANDS ?? 5000);
const WEBHOOKS = 20;
/** A POST still on the wire at the kill may be recorded by the receiver a moment later. */
const ON_THE_WIRE_SLACK_MS = 1_000;

jest.setTimeout(Math.max(240_000, COMMANDS * 240));

/**
 * Fault 1: a dispatcher is SIGKILLed in the middle of a load and started again. Every command ends up
 * delivered and logged exactly once; the only POSTs sent twice are those on the wire at the kill (the
 * README's one duplicate window), and they are counted.
 */
describe('Fault: a dispatcher SIGKILLed mid-load', () => {
  const harness = new FaultHarness('faults-sigkill');

  beforeAll(() => harness.setUp());

  afterAll(() => harness.tearDown());

  it(`delivers and logs each of ${COMMANDS} commands exactly once across a SIGKILL and a restart`, async () => {
    const { db, receiver } = harness;
    const tenantId = `tenant-${randomUUID()}`;
    const webhooks: WebhookDocument[] = [];
    for (let index = 0; index < WEBHOOKS; index += 1) {
      webhooks.push(await db.createWebhook(tenantId, receiver.url(`/sigkill/${index}`)));
    }
    const pathOf = new Map(webhooks.map((webhook, index) => [webhook._id, `/sigkill/${index}`]));
    const events = await db.createEvents(tenantId, 'load.test', COMMANDS, webhooks);
    const expected = events.map((event, index) => ({ eventId: event._id, webhookId: webhooks[index % WEBHOOKS]._id }));

    // Every command should succeed at its first attempt: a receiver slowed past the fault suite's 2 s
    // timeout by a busy machine would fail it, and its retry is another command.
    const patient = { DELIVERY_TIMEOUT: '10s' };
    const victim = await harness.startDispatcher('victim', patient);
    const publishedAt = Date.now();
    await harness.publishDeliveryCommands(expected);

    await waitFor(
      'a quarter of the deliveries to arrive',
      () => receiver.requests.length >= COMMANDS / 4,
      180_000,
      100,
    );
    const receivedBeforeKill = receiver.requests.length;
    const killedAt = Date.now();
    await victim.kill();
    await harness.startDispatcher('restarted', patient);
    const restartedAt = Date.now();

    const audit = await harness.audit(
      expected,
      (webhookId) => pathOf.get(webhookId)!,
      Math.max(180_000, COMMANDS * 180),
    );
    const drainedAt = Date.now();

    // Exactly once in MongoDB: one attempt per command, and it succeeded.
    const perCommand = new Map<string, number>();
    for (const attempt of audit.attempts)
      perCommand.set(attempt.commandId, (perCommand.get(attempt.commandId) ?? 0) + 1);
    const commandsLoggedTwice = [...perCommand.values()].filter((count) => count > 1).length;

    // Only a POST that was on the wire at the kill may arrive twice.
    const firstSeen = new Map<string, number>();
    const resent = new Set<string>();
    for (const request of receiver.requests) {
      const id = request.headers['webhook-id'] as string;
      if (firstSeen.has(id)) resent.add(id);
      else firstSeen.set(id, request.receivedAt);
    }
    const resentOutsideWindow = [...resent].filter((id) => firstSeen.get(id)! > killedAt + ON_THE_WIRE_SLACK_MS);

    reportFigures({
      fault: '1. SIGKILL dispatcher mid-load, restart',
      commands: COMMANDS,
      delivered: audit.delivered,
      logged: perCommand.size,
      duplicates: audit.duplicates,
      recoverySeconds: firstDeliveryAfter(receiver.requests, restartedAt),
      notes: {
        receivedBeforeKill,
        drainSecondsAfterRestart: secondsSince(restartedAt),
        totalSeconds: Math.round((drainedAt - publishedAt) / 1000),
      },
    });

    expect(audit.missing).toEqual([]);
    expect(audit.delivered).toBe(COMMANDS);
    expect(perCommand.size).toBe(COMMANDS);
    expect(commandsLoggedTwice).toBe(0);
    expect(audit.loggedTwice).toBe(0);
    expect(resentOutsideWindow).toEqual([]);
  });
});
