import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Where the integration tests find Kafka and FerretDB. scripts/test.sh exports the ports; run
 * directly, jest falls back to the same test ports, which never clash with the dev stack
 * (`npm start` uses 9092/27017).
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const TEST_DEFAULTS = { KAFKA_PORT: '19092', FERRETDB_PORT: '37017' };

export function testKafkaPort(): number {
  return Number(process.env.KAFKA_PORT || TEST_DEFAULTS.KAFKA_PORT);
}

export function testMongoPort(): number {
  return Number(process.env.FERRETDB_PORT || TEST_DEFAULTS.FERRETDB_PORT);
}

/** Bootstrap brokers in the KAFKA_BROKERS format the apps read. */
export function testKafkaBrokers(): string {
  return `127.0.0.1:${testKafkaPort()}`;
}

/**
 * A MongoDB URI on the test database server; give each suite its own dbName so suites never see each
 * other's data. The server is MONGODB_URI's (scripts/test.sh points it at FerretDB, then at SecantusDB for
 * the repository specs), else FerretDB on the test port.
 */
export function testMongoUri(dbName: string): string {
  const uri = new URL(process.env.MONGODB_URI || `mongodb://127.0.0.1:${testMongoPort()}`);
  uri.pathname = `/${dbName}`;
  return uri.toString();
}

/** Which engine serves MONGODB_URI, for spec titles: scripts/test.sh runs test/persistence on two. */
export function testDbEngine(): string {
  return process.env.TEST_DB_ENGINE || 'ferretdb';
}

/** The environment infra/*.sh needs to start or stop the test stack (test ports, data under .run/test/). */
export function testInfraEnv(): NodeJS.ProcessEnv {
  const testRunDir = path.join(REPO_ROOT, '.run', 'test');
  return {
    ...process.env,
    KAFKA_PORT: String(testKafkaPort()),
    // Same default as infra/kafka.sh: the broker port + 1 (19093 for the test broker).
    KAFKA_CONTROLLER_PORT: process.env.KAFKA_CONTROLLER_PORT || String(testKafkaPort() + 1),
    FERRETDB_PORT: String(testMongoPort()),
    KAFKA_DATA_DIR: process.env.KAFKA_DATA_DIR || path.join(testRunDir, 'kafka'),
    FERRETDB_DATA_DIR: process.env.FERRETDB_DATA_DIR || path.join(testRunDir, 'ferretdb'),
  };
}

/** Runs infra/stack.sh with the test stack's environment; its output goes to jest's console. */
export function testStack(command: 'acquire' | 'release', ownerPid: number): void {
  execFileSync('bash', [path.join(REPO_ROOT, 'infra', 'stack.sh'), command, String(ownerPid)], {
    env: testInfraEnv(),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
