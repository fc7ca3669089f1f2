import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Connection } from 'mongoose';
import { getConnectionToken } from '@nestjs/mongoose';
import request from 'supertest';
import { REPO_ROOT, testKafkaBrokers, testMongoUri } from '../../support/infra';

/** An authenticated caller: its tenant and bearer token, as the CLI would have issued them. */
export interface TestTenant {
  tenantId: string;
  tokenId: string;
  token: string;
  auth: { Authorization: string };
}

export interface ApiTestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  /** Issues a token through the same use case the CLI calls. */
  newTenant(prefix?: string): Promise<TestTenant>;
  close(): Promise<void>;
}

/**
 * Boots the real API in-process (AppModule + the same configureApp as main.ts) against the test Kafka
 * and a database of its own. The environment is set before the app's modules are loaded, because the
 * configuration is validated once, when AppConfigModule is first imported: so one app per test file.
 */
export async function startApiTestApp(suite: string, env: Record<string, string> = {}): Promise<ApiTestApp> {
  const testEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: testKafkaBrokers(),
    MONGODB_URI: testMongoUri(`api_${suite}_${process.pid}_${Date.now()}`),
    ALLOW_HTTP_WEBHOOKS: 'true',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // Off jest's console, like the apps AppProcess starts: one file per test file's app.
    LOG_FILE: join(REPO_ROOT, 'test/artifacts/logs', `in-process-api-${suite}-${process.pid}.log`),
    ...env,
  };
  Object.assign(process.env, testEnv);
  const { AppModule } = await import('../../../apps/api/src/app.module');
  const { API_APP_OPTIONS, configureApp } = await import('../../../apps/api/src/bootstrap/configure-app');
  const { TopicProvisioner } = await import('@app/kafka');
  const { AppConfig } = await import('@app/config');
  const { CreateApiTokenUseCase } =
    await import('../../../apps/api/src/auth/usecases/create-api-token/create-api-token.usecase');

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const misconfigured = testEnvironmentMismatch(moduleRef.get(AppConfig), testEnv);
  if (misconfigured) {
    await moduleRef.close();
    throw new Error(misconfigured);
  }
  const app = moduleRef.createNestApplication<NestExpressApplication>(API_APP_OPTIONS);
  configureApp(app);
  await app.get(TopicProvisioner).ensureTopics();
  await app.init();
  // Indexes (the idempotency key's unique one above all) must exist before the tests race on them.
  const connection = app.get<Connection>(getConnectionToken());
  await Promise.all(Object.values(connection.models).map((model) => model.init()));

  const createToken = app.get(CreateApiTokenUseCase);
  return {
    app,
    http: () => request(app.getHttpServer()),
    async newTenant(prefix = 'tenant') {
      const tenantId = `${prefix}-${randomUUID().slice(0, 8)}`;
      const created = await createToken.execute({ tenantId, name: 'e2e' });
      return {
        tenantId,
        tokenId: created.tokenId,
        token: created.token,
        auth: { Authorization: `Bearer ${created.token}` },
      };
    },
    async close() {
      await connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}

/**
 * A spec that imports a project module at its top (say `@app/persistence`) loads the configuration
 * before the test environment is set: the app would then talk to the development Kafka and MongoDB
 * (and drop that database on close). Such specs must import project modules lazily; say so loudly.
 */
function testEnvironmentMismatch(
  config: { get(key: 'MONGODB_URI' | 'KAFKA_BROKERS'): string },
  testEnv: Record<string, string>,
): string | undefined {
  const key = (['MONGODB_URI', 'KAFKA_BROKERS'] as const).find((name) => config.get(name) !== testEnv[name]);
  if (!key) return undefined;
  return (
    `The API's configuration was loaded before startApiTestApp set ${key} (it has ${config.get(key)}): ` +
    'import project modules other than @app/contracts lazily (await import(...)) after startApiTestApp.'
  );
}
