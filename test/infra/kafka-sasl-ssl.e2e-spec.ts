import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigService } from '@nestjs/config';
import { Kafka, logLevel } from 'kafkajs';
import { AppConfig, validateEnvironment } from '@app/config';
import { KafkaTopic } from '@app/contracts';
import { kafkaClientConfig } from '@app/kafka';
import { issueTokenWithCli } from '../console/support/issue-token';
import { ApiClient } from '../faults/support/fault-apps';
import { DedicatedKafka } from '../faults/support/dedicated-infra';
import { AppProcess, freePort } from '../support/app-process';
import { REPO_ROOT, testKafkaPort } from '../support/infra';
import { originalValue, TestKafka } from '../support/kafka-client';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const run = promisify(execFile);

/**
 * A broker of its own, next to the test stack's (KAFKA_PORT and its controller on +1): its SASL_SSL
 * listener on +2, its plaintext listener (infra/kafka.sh's readiness probe) and controller on +3 and +4.
 */
const SASL_SSL_PORT = testKafkaPort() + 2;
const PLAINTEXT_PORT = testKafkaPort() + 3;
const DATA_DIR = `.run/kafka-sasl-ssl-${PLAINTEXT_PORT}`;
const TLS_DIR = join(REPO_ROOT, DATA_DIR, 'tls');
const USERNAME = 'webhooks-app';
const LOG_DIR = join(REPO_ROOT, 'test/artifacts/logs');
/** The exit status of a start refused on a setting (libs/common, EX_CONFIG). */
const EXIT_CONFIGURATION = 78;

jest.setTimeout(240_000);

/**
 * An operator's own secured Kafka: the API, the dispatcher and the CLI reach it only through a SASL_SSL
 * listener (SCRAM-SHA-512 over mutual TLS), configured through the environment. Events are delivered and
 * logged, malformed commands dead-lettered; a wrong password or an untrusted CA ends the start with one
 * line naming the setting and a non-zero exit, and the password is never logged.
 */
describe('Secured Kafka: SASL_SSL with SCRAM and mutual TLS', () => {
  const password = randomBytes(16).toString('hex');
  const wrongPassword = randomBytes(16).toString('hex');
  const kafka = new DedicatedKafka(PLAINTEXT_PORT, DATA_DIR, {
    KAFKA_SASL_SSL_PORT: String(SASL_SSL_PORT),
    KAFKA_SASL_SSL_USERNAME: USERNAME,
    KAFKA_SASL_SSL_PASSWORD: password,
  });
  const logFiles: string[] = [];
  let secretsDir: string;
  let passwordFile: string;
  let untrustedCa: string;
  let secured: Record<string, string>;
  let db: TestDatabase;
  let receiver: TestReceiver;
  let securedKafka: TestKafka;
  let api: AppProcess;
  let dispatcher: AppProcess;

  /** An app on the secured listener, its log in a file of its own so the test can read it. */
  const app = async (name: 'api' | 'dispatcher', role: string, env: Record<string, string>) => {
    const port = await freePort();
    const logFile = join(LOG_DIR, `kafka-sasl-ssl-${role}-${port}.log`);
    logFiles.push(logFile);
    return new AppProcess(name, port, { ...secured, ...env }, `kafka-sasl-ssl-${role}`, {
      logFile,
      defaults: { NODE_ENV: 'test', LOG_LEVEL: 'debug' },
    });
  };

  beforeAll(async () => {
    await kafka.startFresh();
    secretsDir = mkdtempSync(join(tmpdir(), 'kafka-sasl-ssl-'));
    passwordFile = join(secretsDir, 'kafka-password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    // A CA of the right shape that never signed the broker's certificate.
    untrustedCa = join(secretsDir, 'untrusted-ca.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(secretsDir, 'untrusted-ca.key'),
      '-out',
      untrustedCa,
      '-days',
      '1',
      '-subj',
      '/CN=some other CA',
    ]);
    db = await TestDatabase.connect('infra_kafka_sasl_ssl');
    receiver = await new TestReceiver().start();
    secured = {
      KAFKA_BROKERS: `127.0.0.1:${SASL_SSL_PORT}`,
      MONGODB_URI: db.uri,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: USERNAME,
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: join(TLS_DIR, 'ca.pem'),
      KAFKA_TLS_CERT_FILE: join(TLS_DIR, 'client.pem'),
      KAFKA_TLS_KEY_FILE: join(TLS_DIR, 'client.key'),
      ALLOW_HTTP_WEBHOOKS: 'true',
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
      RETRY_SCHEDULE: '500ms',
      RETRY_JITTER: '0',
    };
    securedKafka = new TestKafka(secured.KAFKA_BROKERS, {
      ssl: {
        ca: readFileSync(secured.KAFKA_TLS_CA_FILE, 'utf8'),
        cert: readFileSync(secured.KAFKA_TLS_CERT_FILE, 'utf8'),
        key: readFileSync(secured.KAFKA_TLS_KEY_FILE, 'utf8'),
      },
      sasl: { mechanism: 'scram-sha-512', username: USERNAME, password },
    });
    // The password inline for one, from a file for the other: both ways operators pass it.
    api = await (await app('api', 'api', { KAFKA_SASL_PASSWORD: password })).start();
    dispatcher = await (await app('dispatcher', 'dispatcher', { KAFKA_SASL_PASSWORD_FILE: passwordFile })).start();
  });

  afterAll(async () => {
    await api?.stop();
    await dispatcher?.stop();
    await securedKafka?.close();
    await receiver?.stop();
    await db?.close();
    await kafka.stop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  it('delivers an event posted to the API, and shows the attempt in its logs', async () => {
    // The CLI takes the same settings (it validates them, though it needs no broker).
    const token = await issueTokenWithCli(
      { ...secured, KAFKA_SASL_PASSWORD_FILE: passwordFile },
      `sasl-${randomUUID().slice(0, 8)}`,
    );
    const client = new ApiClient(api.port, token);
    const webhookId = await client.createWebhook(receiver.url('/secured'));

    const posted = await client.call('POST', '/v1/webhooks/events', { type: 'invoice.paid', payload: { amount: 7 } });
    expect(posted.status).toBe(201);
    const eventId = posted.body.data.eventId as string;

    const [request] = await waitFor('the POST at the receiver', () => {
      const received = receiver.received('/secured');
      return received.length === 1 ? received : undefined;
    });
    expect(request.headers['webhook-id']).toBe(eventId);
    const logs = await waitFor('the attempt in GET .../logs', async () => {
      const items = (await client.call('GET', `/v1/webhooks/events/${eventId}/logs`)).body.data?.items ?? [];
      return items.length === 1 ? items : undefined;
    });
    expect(logs[0]).toMatchObject({ webhookId, trigger: 'initial', success: true, statusCode: 200, attemptNumber: 1 });
  });

  it('dead-letters a malformed command published to the commands topic through SASL_SSL', async () => {
    const deadLetters = await securedKafka.collectDeadLetters();
    const malformed = `{not json ${randomUUID()}`;

    await securedKafka.publish(KafkaTopic.DeliveryCommands, [{ key: 'malformed', value: malformed }]);

    const letter = await waitFor('the dead letter', () =>
      deadLetters.from(KafkaTopic.DeliveryCommands).find((each) => originalValue(each)?.toString('utf8') === malformed),
    );
    expect(letter.reason).toMatch(/not valid JSON/);
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    'connects with SASL mechanism %s as the settings map it to kafkajs',
    async (mechanism) => {
      const environment = validateEnvironment({
        ...secured,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_PASSWORD: password,
      });
      const config = new AppConfig(new ConfigService(environment));
      const admin = new Kafka({ ...kafkaClientConfig(config, 'test'), logLevel: logLevel.NOTHING }).admin();
      try {
        await admin.connect();
        expect(await admin.listTopics()).toContain(KafkaTopic.DeliveryCommands);
      } finally {
        await admin.disconnect();
      }
    },
  );

  /** Starts `name` with `env` over the secured settings; it must exit on its own, having said why. */
  const refusedStart = async (name: 'api' | 'dispatcher', role: string, env: Record<string, string>) => {
    const refused = await app(name, role, env);
    await expect(refused.start()).rejects.toThrow(/exited before it was ready/);
    const lines = readFileSync(logFiles[logFiles.length - 1], 'utf8')
      .split('\n')
      .filter((line) => line.includes('Cannot start'));
    return { code: await refused.whenExited(), lines };
  };

  it.each<'api' | 'dispatcher'>(['api', 'dispatcher'])(
    '%s refuses a wrong password at start, naming KAFKA_SASL_PASSWORD, and exits',
    async (name) => {
      const { code, lines } = await refusedStart(name, `${name}-wrong-password`, {
        KAFKA_SASL_PASSWORD: wrongPassword,
      });

      expect(code).toBe(EXIT_CONFIGURATION);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /Cannot start: Kafka refused the SASL credentials; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
      );
    },
  );

  it.each<'api' | 'dispatcher'>(['api', 'dispatcher'])(
    '%s refuses a broker certificate its CA file did not sign, naming KAFKA_TLS_CA_FILE, and exits',
    async (name) => {
      const { code, lines } = await refusedStart(name, `${name}-untrusted-ca`, {
        KAFKA_SASL_PASSWORD: password,
        KAFKA_TLS_CA_FILE: untrustedCa,
      });

      expect(code).toBe(EXIT_CONFIGURATION);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /Cannot start: The broker's TLS certificate is not trusted; KAFKA_TLS_CA_FILE must name the CA that signed it/,
      );
    },
  );

  it('writes neither password to any app log', async () => {
    // The running apps' logs hold their start, a delivery and a dead letter, at debug level.
    await api.stop();
    await dispatcher.stop();
    expect(logFiles.length).toBeGreaterThanOrEqual(6);
    for (const file of logFiles) {
      const text = readFileSync(file, 'utf8');
      expect(text.length).toBeGreaterThan(0);
      expect({ file, leaks: text.includes(password) || text.includes(wrongPassword) }).toEqual({ file, leaks: false });
    }
  });
});
