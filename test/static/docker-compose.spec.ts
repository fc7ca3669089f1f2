import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Environment } from '@app/config';

/**
 * No Docker engine runs in CI, so these checks read docker-compose.yml and the Dockerfile as text and
 * hold them to what the apps expect: service names, health checks, a scalable dispatcher, and
 * environment variables that exist in libs/config.
 */

interface Build {
  context?: string;
  dockerfile?: string;
  target?: string;
}

interface Service {
  image?: string;
  build?: string | Build;
  command?: string | string[];
  ports?: unknown[];
  container_name?: string;
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
  restart?: string;
  stop_grace_period?: string;
  volumes?: unknown[];
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as Compose;
const services = compose.services;
const APP_SERVICES = ['api', 'dispatcher'];

/** Compose accepts `environment` as a map or as a list of KEY=value strings. */
function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
}

/** A `ports` entry, short (`[host_ip:][host:]container[/proto]`) or long syntax. */
function publishedPort(entry: unknown): { hostAddress?: string; container: string } {
  if (typeof entry === 'object' && entry !== null) {
    const { host_ip: hostAddress, target } = entry as { host_ip?: string; target?: number | string };
    return { hostAddress, container: String(target) };
  }
  const parts = String(entry).split('/')[0].split(':');
  return { hostAddress: parts.length === 3 ? parts[0] : undefined, container: parts.at(-1)! };
}

function buildOf(service: Service): Build | undefined {
  return typeof service.build === 'string' ? { context: service.build } : service.build;
}

/** Services that `docker compose up` starts; profile-only ones are one-shot tools. */
const longRunning = Object.entries(services).filter(([, service]) => !service.profiles?.length);

/** Instructions of a Dockerfile, continuation lines joined and comments dropped, grouped by stage. */
function dockerfileStages(text: string): { from: string; instructions: string[] }[] {
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { from: string; instructions: string[] }[] = [];
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction)) stages.push({ from: instruction, instructions: [] });
    else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

const stages = dockerfileStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const stageNames = stages.map((stage) => /\sAS\s+(\S+)\s*$/i.exec(stage.from)?.[1]).filter(Boolean);

describe('docker-compose.yml', () => {
  it('defines the broker, the database and both apps', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kafka', 'mongo', 'api', 'dispatcher']));
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(services.mongo.image).toMatch(/^mongo:7/);
  });

  it('runs the Kafka version that infra/kafka.sh runs by default', () => {
    const script = readFileSync(join(root, 'infra', 'kafka.sh'), 'utf8');
    const version = /^KAFKA_VERSION=\$\{KAFKA_VERSION:-([^}]+)\}/m.exec(script)?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(services.kafka.image).toBe(`apache/kafka:${version}`);
  });

  it.each(APP_SERVICES)('builds %s from the repository Dockerfile', (name) => {
    const build = buildOf(services[name]);
    expect(build?.context).toBe('.');
    expect(build?.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
  });

  it('only targets stages the Dockerfile defines', () => {
    for (const service of Object.values(services)) {
      const target = buildOf(service)?.target;
      if (target) expect(stageNames).toContain(target);
    }
  });

  it('runs the dispatcher from the same image with its own entry point', () => {
    expect(services.dispatcher.image).toBe(services.api.image);
    const command = services.dispatcher.command;
    expect(Array.isArray(command) ? command.join(' ') : command).toBe('node dist/apps/dispatcher/main.js');
  });

  it('lets the dispatcher scale: no host ports, no fixed container name, no local state', () => {
    const dispatcher = services.dispatcher;
    expect(dispatcher.ports).toBeUndefined();
    expect(dispatcher.container_name).toBeUndefined();
    expect(dispatcher.volumes).toBeUndefined();
    expect(dispatcher.restart).toBe('unless-stopped');
    expect(dispatcher.stop_grace_period).toBeDefined();
  });

  it.each(longRunning.map(([name]) => name))('gives %s a healthcheck', (name) => {
    expect(services[name].healthcheck?.disable).not.toBe(true);
    expect(healthcheckCommand(services[name])).not.toBe('');
  });

  it('health-checks the apps on the ports they are told to listen on', () => {
    const api = environmentOf(services.api);
    const dispatcher = environmentOf(services.dispatcher);
    expect(api.API_HOST).toBe('0.0.0.0');
    expect(dispatcher.DISPATCHER_HOST).toBe('0.0.0.0');
    expect(healthcheckCommand(services.api)).toContain(`:${api.API_PORT ?? new Environment().API_PORT}/ready`);
    expect(healthcheckCommand(services.dispatcher)).toContain(
      `:${dispatcher.DISPATCHER_PORT ?? new Environment().DISPATCHER_PORT}/ready`,
    );
  });

  it('publishes the API port only: the ops listeners (metrics, health details) stay off the host', () => {
    const api = environmentOf(services.api);
    const dispatcher = environmentOf(services.dispatcher);
    const apiPort = api.API_PORT ?? String(new Environment().API_PORT);
    const apiOpsPort = api.API_METRICS_PORT ?? String(new Environment().API_METRICS_PORT);
    const dispatcherOpsPort = dispatcher.DISPATCHER_METRICS_PORT ?? String(new Environment().DISPATCHER_METRICS_PORT);
    expect(apiOpsPort).not.toBe(apiPort);
    expect(dispatcherOpsPort).not.toBe(dispatcher.DISPATCHER_PORT ?? String(new Environment().DISPATCHER_PORT));
    const published = (services.api.ports ?? []).map(publishedPort);
    expect(published.map(({ container }) => container)).toContain(apiPort);
    for (const port of published.filter(({ container }) => container !== apiPort)) {
      expect(port.hostAddress).toBe('127.0.0.1');
    }
  });

  it('starts nothing before its dependencies are healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.depends_on) continue;
      expect(Array.isArray(service.depends_on)).toBe(false);
      for (const [dependency, options] of Object.entries(service.depends_on)) {
        expect({ name, dependency, condition: options.condition }).toEqual({
          name,
          dependency,
          condition: 'service_healthy',
        });
      }
    }
    for (const name of APP_SERVICES) {
      expect(Object.keys(services[name].depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'mongo']));
    }
  });

  it.each(APP_SERVICES)('points %s at the compose broker and database', (name) => {
    const env = environmentOf(services[name]);
    const kafkaAdvertised = environmentOf(services.kafka).KAFKA_ADVERTISED_LISTENERS;
    for (const broker of env.KAFKA_BROKERS.split(',')) {
      expect(Object.keys(services)).toContain(broker.split(':')[0]);
      expect(kafkaAdvertised).toContain(`//${broker.trim()}`);
    }
    expect(new URL(env.MONGODB_URI).hostname).toBe('mongo');
  });

  it('sets only variables that libs/config reads', () => {
    const known = Object.keys(new Environment());
    for (const [name, service] of Object.entries(services)) {
      if (!buildOf(service)) continue;
      for (const key of Object.keys(environmentOf(service))) {
        expect({ service: name, key, known: known.includes(key) }).toEqual({ service: name, key, known: true });
      }
    }
  });

  it('configures Kafka as a single KRaft node', () => {
    const env = environmentOf(services.kafka);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('keeps broker and database data in named volumes', () => {
    const named = Object.keys(compose.volumes ?? {});
    for (const name of ['kafka', 'mongo']) {
      const sources = (services[name].volumes ?? []).map((volume) => String(volume).split(':')[0]);
      expect(sources.some((source) => named.includes(source))).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const runtime = stages.at(-1);
  const runtimeText = runtime?.instructions.join('\n') ?? '';

  it('is multi-stage and builds with the full dependency tree', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.flatMap((stage) => stage.instructions).some((line) => /npm run build/.test(line))).toBe(true);
  });

  it('installs only production dependencies, without install scripts, in the final stage', () => {
    expect(runtimeText).toMatch(/npm ci\b[^\n]*--omit=dev/);
    for (const line of stages.flatMap((stage) => stage.instructions).filter((l) => /npm ci\b/.test(l))) {
      expect(line).toContain('--ignore-scripts');
    }
    expect(runtimeText).toMatch(/^ENV\s+NODE_ENV=production/m);
  });

  it('runs as a non-root user', () => {
    const users = runtime?.instructions.filter((line) => /^USER\s/i.test(line)) ?? [];
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s*$)/i);
  });

  it('starts the API by default', () => {
    expect(runtimeText).toMatch(/^CMD\s+\["node",\s*"dist\/apps\/api\/main\.js"\]/m);
  });
});
