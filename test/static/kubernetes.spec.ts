import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { parseAllDocuments } from 'yaml';
import { HARD_STOP_AFTER_MS } from '@app/common';
import { Environment, parseDuration } from '@app/config';
import { ConsumerGroup, TOPIC_OF_GROUP } from '@app/contracts';
import { HealthController as ApiHealthController } from '../../apps/api/src/health/health.controller';
import { SHUTDOWN_RECORDING_GRACE_MS } from '../../apps/dispatcher/src/dispatch/delivery-command.consumer';
import { HealthController as DispatcherHealthController } from '../../apps/dispatcher/src/health/health.controller';
import { DELIVERY_LEASE_MARGIN_MS } from '../../apps/dispatcher/src/policy/delivery-policy';

/**
 * No cluster runs in CI, so these checks read deploy/kubernetes as YAML and hold the manifests to each
 * other and to the code: ports and hosts the apps are configured with, probe paths their controllers
 * serve, environment names libs/config knows, the consumer group and topic in libs/contracts, the
 * partitions that bound scaling, and the drain time the dispatcher needs before it is killed.
 */

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string }[] } }[];
}

interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
}

const root = join(__dirname, '..', '..');
const dir = join(root, 'deploy', 'kubernetes');
const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0].toJSON() as {
  resources: string[];
  images?: { name: string }[];
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJSON() as Manifest),
);
const defaults = new Environment();
const known = Object.keys(defaults);

const only = (kind: string, name?: string): Manifest[] =>
  manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
const one = (kind: string, name: string): Manifest => {
  const found = only(kind, name);
  expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
  return found[0];
};

/** The apps as the manifests run them, with the variables that name their ports and hosts. */
const APPS = {
  api: {
    deployment: 'webhook-api',
    command: undefined,
    controller: ApiHealthController,
    port: 'API_PORT',
    host: 'API_HOST',
    opsPort: 'API_METRICS_PORT',
    opsHost: 'API_METRICS_HOST',
  },
  dispatcher: {
    deployment: 'webhook-dispatcher',
    command: ['node', 'dist/apps/dispatcher/main.js'],
    controller: DispatcherHealthController,
    port: 'DISPATCHER_PORT',
    host: 'DISPATCHER_HOST',
    opsPort: 'DISPATCHER_METRICS_PORT',
    opsHost: 'DISPATCHER_METRICS_HOST',
  },
} as const;
type AppName = keyof typeof APPS;
const APP_NAMES = Object.keys(APPS) as AppName[];

const deploymentOf = (app: AppName) => one('Deployment', APPS[app].deployment).spec as unknown as DeploymentSpec;
const containerOf = (app: AppName): Container => {
  const { containers } = deploymentOf(app).template.spec;
  expect(containers).toHaveLength(1);
  return containers[0];
};

/** What the app reads: the ConfigMaps it takes whole, then its own `env` values (which win). */
function environmentOf(container: Container): Record<string, string> {
  const fromMaps = (container.envFrom ?? [])
    .filter((source) => source.configMapRef)
    .map((source) => one('ConfigMap', source.configMapRef!.name).data ?? {});
  const own = (container.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ [e.name]: e.value! }));
  return Object.assign({}, ...fromMaps, ...own);
}

/** A setting as the app ends up with it: the manifests' value, else the schema's default. */
const setting = (env: Record<string, string>, name: keyof Environment): string => env[name] ?? String(defaults[name]);

/** The paths a controller's GET handlers answer, as Nest registers them. */
function routesOf(controller: { prototype: object }): string[] {
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor')
    .flatMap((name) => [Reflect.getMetadata(PATH_METADATA, proto[name] as object) as string | string[] | undefined])
    .flatMap((path) => (path === undefined ? [] : Array.isArray(path) ? path : [path]))
    .map((path) => `/${path.replace(/^\//, '')}`);
}

/** The container port a probe or Service names, by name or number. */
function containerPort(container: Container, port: string | number): number | undefined {
  return container.ports?.find((p) => p.name === port || p.containerPort === port)?.containerPort;
}

const scaledObject = one('ScaledObject', 'webhook-dispatcher');
const scaledSpec = scaledObject.spec as {
  scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
  minReplicaCount?: number;
  maxReplicaCount: number;
  triggers: { type: string; metadata: Record<string, string> }[];
};
const kafkaTrigger = scaledSpec.triggers.find((trigger) => trigger.type === 'kafka');

describe('deploy/kubernetes', () => {
  it('lists every manifest in its kustomization', () => {
    const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it.each(APP_NAMES)('runs %s from the one image, with its entry point', (app) => {
    const container = containerOf(app);
    expect(container.image).toBe(kustomization.images?.[0]?.name);
    expect(container.command).toEqual(APPS[app].command);
  });

  it.each(APP_NAMES)('%s: container ports are the ports the app is configured with, on all interfaces', (app) => {
    const container = containerOf(app);
    const env = environmentOf(container);
    const { port, host, opsPort, opsHost } = APPS[app];
    expect(containerPort(container, 'http')).toBe(Number(setting(env, port)));
    expect(containerPort(container, 'ops')).toBe(Number(setting(env, opsPort)));
    // The default (loopback) would keep the kubelet and Prometheus out.
    expect({ [host]: env[host], [opsHost]: env[opsHost] }).toEqual({ [host]: '0.0.0.0', [opsHost]: '0.0.0.0' });
    const annotations = deploymentOf(app).template.metadata.annotations ?? {};
    expect(annotations['prometheus.io/port']).toBe(setting(env, opsPort));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
  });

  it.each(APP_NAMES)('%s: probes ask the public port for paths its health controller serves', (app) => {
    const container = containerOf(app);
    const publicPort = Number(setting(environmentOf(container), APPS[app].port));
    const routes = routesOf(APPS[app].controller);
    expect(routes).toEqual(expect.arrayContaining(['/health', '/ready']));
    const probes = {
      startup: container.startupProbe?.httpGet,
      liveness: container.livenessProbe?.httpGet,
      readiness: container.readinessProbe?.httpGet,
    };
    expect(probes.liveness?.path).toBe('/health');
    expect(probes.readiness?.path).toBe('/ready');
    for (const [kind, probe] of Object.entries(probes)) {
      expect({
        kind,
        port: probe && containerPort(container, probe.port),
        served: routes.includes(probe?.path ?? ''),
      }).toEqual({
        kind,
        port: publicPort,
        served: true,
      });
    }
  });

  it('sets only variables that libs/config reads', () => {
    for (const app of APP_NAMES) {
      const container = containerOf(app);
      for (const name of [...(container.env ?? []).map((e) => e.name), ...Object.keys(environmentOf(container))]) {
        expect({ app, name, known: known.includes(name) }).toEqual({ app, name, known: true });
      }
    }
    for (const map of only('ConfigMap')) {
      for (const name of Object.keys(map.data ?? {}))
        expect({ name, known: known.includes(name) }).toEqual({ name, known: true });
    }
  });

  it('runs in production mode with the encryption key from the Secret, documented in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Running on Kubernetes'));
    expect(section.startsWith('## Running on Kubernetes')).toBe(true);
    for (const app of APP_NAMES) {
      const container = containerOf(app);
      const env = environmentOf(container);
      expect(env.NODE_ENV).toBe('production');
      const keyFile = env.SECRETS_ENCRYPTION_KEY_FILE;
      const mount = container.volumeMounts?.find(({ mountPath }) => keyFile?.startsWith(`${mountPath}/`));
      const volume = deploymentOf(app).template.spec.volumes?.find(({ name }) => name === mount?.name);
      const keys = [
        ...(volume?.secret?.items ?? []).map(({ key }) => ({ secret: volume!.secret!.secretName, key })),
        ...(container.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef)
          .map((e) => ({ secret: e.valueFrom!.secretKeyRef!.name, key: e.valueFrom!.secretKeyRef!.key })),
      ];
      expect(keys.map(({ key }) => key)).toEqual(expect.arrayContaining(['secrets-encryption-key', 'mongodb-uri']));
      for (const { secret, key } of keys) {
        expect(section).toContain(`kubectl create secret generic ${secret}`);
        expect({ key, documented: section.includes(key) }).toEqual({ key, documented: true });
      }
    }
  });

  it.each(APP_NAMES)('%s: requests CPU and memory, and caps memory above the request', (app) => {
    const { requests, limits } = containerOf(app).resources ?? {};
    expect(requests?.cpu).toMatch(/^\d+m?$/);
    expect(requests?.memory).toMatch(/^\d+Mi$/);
    expect(parseInt(limits?.memory ?? '0', 10)).toBeGreaterThan(parseInt(requests!.memory, 10));
  });

  it("gives the dispatcher longer than its drain and the app's own hard stop before SIGKILL", () => {
    const env = environmentOf(containerOf('dispatcher'));
    const drainMs =
      parseDuration(setting(env, 'DELIVERY_TIMEOUT')) + DELIVERY_LEASE_MARGIN_MS + SHUTDOWN_RECORDING_GRACE_MS;
    const graceMs = (deploymentOf('dispatcher').template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    expect(graceMs).toBeGreaterThan(drainMs);
    expect(graceMs).toBeGreaterThan(HARD_STOP_AFTER_MS);
  });

  it("gives the API its preStop pause and the app's hard stop before SIGKILL", () => {
    const preStop = containerOf('api').lifecycle?.preStop?.exec?.command ?? [];
    const pauseMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    const graceMs = (deploymentOf('api').template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    expect(graceMs).toBeGreaterThan(pauseMs + HARD_STOP_AFTER_MS);
  });

  it('selects the pods of each Deployment with its Services and disruption budgets', () => {
    const pods = APP_NAMES.map((app) => ({
      labels: deploymentOf(app).template.metadata.labels,
      container: containerOf(app),
    }));
    for (const app of APP_NAMES) {
      const { selector, template } = deploymentOf(app);
      expect(template.metadata.labels).toMatchObject(selector.matchLabels);
    }
    const selects = (selector: Record<string, string>) =>
      pods.filter(({ labels }) => Object.entries(selector).every(([key, value]) => labels[key] === value));
    for (const service of only('Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
      const [pod, ...others] = selects(spec.selector);
      expect({ service: service.metadata.name, pods: others.length + (pod ? 1 : 0) }).toEqual({
        service: service.metadata.name,
        pods: 1,
      });
      for (const { targetPort } of spec.ports) expect(containerPort(pod.container, targetPort)).toBeDefined();
    }
    for (const budget of only('PodDisruptionBudget')) {
      const spec = budget.spec as { selector: { matchLabels: Record<string, string> } };
      expect(selects(spec.selector.matchLabels)).toHaveLength(1);
    }
    expect(only('PodDisruptionBudget')).toHaveLength(APP_NAMES.length);
  });
});

describe('the dispatcher ScaledObject', () => {
  const dispatcherEnv = () => environmentOf(containerOf('dispatcher'));

  it('scales the dispatcher Deployment, which leaves its replica count to it', () => {
    const target = scaledSpec.scaleTargetRef;
    expect({
      apiVersion: target.apiVersion ?? 'apps/v1',
      kind: target.kind ?? 'Deployment',
      name: target.name,
    }).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: APPS.dispatcher.deployment,
    });
    expect(deploymentOf('dispatcher').replicas).toBeUndefined();
  });

  it("watches the dispatcher's consumer group on the topic it reads, from the brokers the apps use", () => {
    expect(kafkaTrigger?.metadata.consumerGroup).toBe(ConsumerGroup.Dispatcher);
    expect(kafkaTrigger?.metadata.topic).toBe(TOPIC_OF_GROUP[ConsumerGroup.Dispatcher]);
    expect(kafkaTrigger?.metadata.bootstrapServers).toBe(setting(dispatcherEnv(), 'KAFKA_BROKERS'));
    // The consumers subscribe fromBeginning: a partition with no commit is all lag, not none.
    expect(kafkaTrigger?.metadata.offsetResetPolicy).toBe('earliest');
  });

  it("stays within the command topic's partitions", () => {
    const partitions = Number(setting(dispatcherEnv(), 'KAFKA_PARTITIONS'));
    expect(scaledSpec.maxReplicaCount).toBeLessThanOrEqual(partitions);
    expect(scaledSpec.minReplicaCount ?? 0).toBeGreaterThanOrEqual(1);
    expect(scaledSpec.minReplicaCount ?? 0).toBeLessThanOrEqual(scaledSpec.maxReplicaCount);
  });

  it("does not count one dispatcher's own deliveries in flight as a reason for another", () => {
    expect(Number(kafkaTrigger?.metadata.lagThreshold)).toBeGreaterThanOrEqual(
      Number(setting(dispatcherEnv(), 'DISPATCHER_MAX_IN_FLIGHT')),
    );
  });
});
