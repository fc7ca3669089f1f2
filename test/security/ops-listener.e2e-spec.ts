import { ConsumerGroup, TOPIC_OF_GROUP } from '@app/contracts';
import { AppProcess } from '../support/app-process';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { SpawnedApi } from './support/security-api';

/**
 * What each port of the built apps shows, as an outsider and as an operator would probe it: the public
 * ports answer probes with a bare status and hide /metrics; the ops ports (loopback by default) serve
 * the metrics and the health details, and nothing of the public API.
 */
describe('Ops listener and public probes', () => {
  const label = `security-ops-${process.pid}`;
  let db: TestDatabase;
  let api: SpawnedApi;
  let dispatcher: AppProcess;

  const get = async (port: number, path: string, init: RequestInit = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
    const text = await response.text();
    return { status: response.status, text, contentType: response.headers.get('content-type') ?? '' };
  };

  beforeAll(async () => {
    db = await TestDatabase.connect('security_ops');
    // API first: it creates the topics on a fresh broker.
    api = await SpawnedApi.start(`${label}-api`, db.uri, { API_DOCS_ENABLED: 'false' });
    dispatcher = await startTestDispatcher(`${label}-dispatcher`, db.uri);
  });

  afterAll(async () => {
    await api?.stop();
    await dispatcher?.stop();
    await db?.close();
  });

  it.each([
    ['api', () => api.process],
    ['dispatcher', () => dispatcher],
  ])('%s: the public port answers /health and /ready with the status alone, and has no /metrics', async (_, app) => {
    for (const path of ['/health', '/ready']) {
      const answer = await get(app().port, path);
      expect({ path, status: answer.status, body: JSON.parse(answer.text) }).toEqual({
        path,
        status: 200,
        body: { status: 'ok' },
      });
    }
    expect((await get(app().port, '/metrics')).status).toBe(404);
  });

  it.each([
    ['api', () => api.process, ['kafka', 'mongodb']],
    ['dispatcher', () => dispatcher, ['kafka', 'mongodb', 'consumer']],
  ])('%s: the ops port serves the metrics and the health details', async (_, app, checks) => {
    const metrics = await get(app().metricsPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(metrics.text).toMatch(/^process_cpu_user_seconds_total /m);

    const ready = await get(app().metricsPort, '/ready');
    expect(ready.status).toBe(200);
    const details = JSON.parse(ready.text) as { status: string; details: Record<string, { status: string }> };
    expect(details.status).toBe('ok');
    for (const check of checks)
      expect({ check, status: details.details[check]?.status }).toEqual({ check, status: 'up' });

    // Liveness checks no dependency: an outage makes an app unready, never restarted.
    const live = await get(app().metricsPort, '/health');
    expect(live.status).toBe(200);
    expect((JSON.parse(live.text) as { details: object }).details).toEqual({});
  });

  it.each([
    ['api', () => api.process, [ConsumerGroup.EventIntake]],
    ['dispatcher', () => dispatcher, [ConsumerGroup.Dispatcher, ConsumerGroup.LogWriter]],
  ])(
    '%s: the ops port shows the lag of each consumer group the app runs, on every partition',
    async (_, app, groups) => {
      const metrics = (await get(app().metricsPort, '/metrics')).text;
      const lagLine = /^webhook_consumer_group_lag\{group="([^"]+)",topic="([^"]+)",partition="(\d+)"\} (\d+)$/gm;
      const partitionsOf = new Map<string, number[]>();
      for (const [, group, topic, partition] of metrics.matchAll(lagLine)) {
        partitionsOf.set(`${group} ${topic}`, [...(partitionsOf.get(`${group} ${topic}`) ?? []), Number(partition)]);
      }
      expect([...partitionsOf.keys()].sort()).toEqual(
        groups.map((group) => `${group} ${TOPIC_OF_GROUP[group]}`).sort(),
      );
      for (const partitions of partitionsOf.values()) {
        expect(partitions.sort((a, b) => a - b)).toEqual(partitions.map((_partition, index) => index));
      }
    },
  );

  it('keeps the public API off the ops port, and reads nothing but GET there', async () => {
    const ops = api.process.metricsPort;
    expect((await get(ops, '/v1/webhooks')).status).toBe(404);
    expect((await get(ops, '/docs-json')).status).toBe(404);
    expect((await get(ops, '/metrics', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('serves no OpenAPI document when API_DOCS_ENABLED=false', async () => {
    expect((await get(api.process.port, '/docs')).status).toBe(404);
    expect((await get(api.process.port, '/docs-json')).status).toBe(404);
  });
});
