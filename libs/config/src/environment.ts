import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { parseDuration, parseDurationList } from './duration';
import { KafkaTopicSettings, readKafkaTopicSettings } from './kafka-topic-settings';
import { KAFKA_SASL_MECHANISMS, KafkaSaslMechanism, kafkaSecurityProblems } from './kafka-security';
import { IsTrustProxy } from './trust-proxy';
import { DURATION, DURATION_LIST, IsDurationBetween, IsRetention, toBoolean, toNumber } from './validators';

/** The OTLP transports the trace exporter ships with. */
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'];

/** Base64 of 32 bytes, as `openssl rand -base64 32` prints it (secret-cipher.ts checks the bytes). */
const OPTIONAL_KEY = /^([A-Za-z0-9+/]{43}=)?$/;
const KEY_LIST = /^\s*([A-Za-z0-9+/]{43}=\s*(,\s*[A-Za-z0-9+/]{43}=\s*)*)?$/;
const KEY_MESSAGE = '$property must be base64 of 32 bytes (e.g. `openssl rand -base64 32`)';

export const SECRETS_KEY_REQUIRED =
  'SECRETS_ENCRYPTION_KEY or SECRETS_ENCRYPTION_KEY_FILE must be set when NODE_ENV=production: the key that ' +
  'encrypts webhook signing secrets at rest, base64 of 32 random bytes (e.g. `openssl rand -base64 32`)';

/**
 * Every environment variable either app reads, with its default. The README table mirrors this class;
 * nothing else in the code base reads process.env.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Where the JSON log lines go: a file (appended to, its directory created), or stdout when empty. */
  @IsString()
  LOG_FILE = '';

  /** Comma-separated bootstrap brokers. */
  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  KAFKA_CLIENT_ID = 'webhook-delivery';

  /** Partitions created for each topic the project owns; the upper bound on parallel dispatchers. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_PARTITIONS = 12;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(7)
  KAFKA_REPLICATION_FACTOR = 1;

  /** min.insync.replicas of the topics the apps create; unset: the broker's default. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(7)
  KAFKA_MIN_INSYNC_REPLICAS: number | undefined = undefined;

  /**
   * Whether the apps create missing topics. Off (a principal without create rights), a start only checks
   * that every topic exists with at least its configured partitions, and refuses to start otherwise.
   */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_CREATE_TOPICS = true;

  /**
   * How long the group waits for a silent consumer (a crashed process) before giving its partitions to
   * the others: the pause a crash causes on those partitions. Heartbeats go every tenth of it.
   */
  @Matches(DURATION)
  KAFKA_SESSION_TIMEOUT = '30s';

  /**
   * Bytes a consumer asks the broker for per fetch (a quarter of it per partition). kafkajs holds the
   * whole fetch, decoded, until its last message is handled, so under a deep backlog this, not the
   * backlog, sets the memory a consumer takes. A larger message still comes, alone.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(64 * 1024)
  KAFKA_FETCH_MAX_BYTES = 1024 * 1024;

  /**
   * SASL for the brokers: plain, scram-sha-256 or scram-sha-512 (any case); empty for none. PLAIN sends
   * the password as it is, so use it over TLS only.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(['', ...KAFKA_SASL_MECHANISMS])
  KAFKA_SASL_MECHANISM: '' | KafkaSaslMechanism = '';

  @IsString()
  KAFKA_SASL_USERNAME = '';

  /** Never logged; prefer KAFKA_SASL_PASSWORD_FILE, which keeps it out of the environment. */
  @IsString()
  KAFKA_SASL_PASSWORD = '';

  /** A file holding the SASL password (one trailing line break ignored). */
  @IsString()
  KAFKA_SASL_PASSWORD_FILE = '';

  /** Connects to the brokers over TLS, verifying their certificates (against KAFKA_TLS_CA_FILE when set). */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_TLS = false;

  /** PEM bundle of the CAs trusted for the brokers' certificates instead of Node's public CAs. */
  @IsString()
  KAFKA_TLS_CA_FILE = '';

  /** PEM client certificate (chain) for mutual TLS, with KAFKA_TLS_KEY_FILE. */
  @IsString()
  KAFKA_TLS_CERT_FILE = '';

  /** PEM private key (unencrypted) of KAFKA_TLS_CERT_FILE. */
  @IsString()
  KAFKA_TLS_KEY_FILE = '';

  @IsString()
  MONGODB_URI = 'mongodb://127.0.0.1:27017/webhooks';

  /**
   * Connections per process. Also caps concurrent queries, which keeps a FerretDB/SQLite database
   * (100 connections per database) clear of pool exhaustion with several processes.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(500)
  MONGODB_MAX_POOL_SIZE = 20;

  @IsString()
  API_HOST = '127.0.0.1';

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  API_PORT = 3000;

  /**
   * The API's ops listener: /metrics and health with details. Metrics reveal tenant activity and internal
   * state, so it is apart from API_PORT and on loopback unless set otherwise.
   */
  @IsString()
  API_METRICS_HOST = '127.0.0.1';

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  API_METRICS_PORT = 3100;

  /** Serves the OpenAPI document and UI at /docs on API_PORT. */
  @Transform(toBoolean)
  @IsBoolean()
  API_DOCS_ENABLED = true;

  /**
   * Which proxies' X-Forwarded-For to believe for the client address (the refused-token limit counts per
   * address): false, a hop count, or addresses and subnets, as Express's `trust proxy` takes them.
   */
  @IsTrustProxy()
  TRUST_PROXY = 'false';

  /** Largest accepted request body; event payloads themselves are capped at 256 KiB. */
  @Transform(toNumber)
  @IsInt()
  @Min(1024)
  API_BODY_LIMIT_BYTES = 320 * 1024;

  /**
   * Requests per tenant (all its tokens together) per minute to every /v1 route but event ingest, before
   * the API answers 429. `npm run cli -- tenants set-limits` overrides it for one tenant.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 6_000;

  /** Events per tenant per minute through POST /v1/webhooks/events: 1,000 a second, for backends that post in bursts. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  RATE_LIMIT_INGEST_PER_MINUTE = 60_000;

  /**
   * How often each API process adds its hits to the counts shared through MongoDB and reads back every
   * process's total: across processes, a limit may be exceeded by what the others accept within one interval.
   */
  @IsDurationBetween(10, 10_000)
  RATE_LIMIT_SYNC_INTERVAL = '200ms';

  /**
   * Requests with a missing, malformed, unknown or revoked token that one client address may make per
   * minute; beyond that the API answers 429 until the minute is over, so tokens cannot be guessed at speed.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE = 60;

  /** Allows http:// webhook URLs; for local development and tests only. */
  @Transform(toBoolean)
  @IsBoolean()
  ALLOW_HTTP_WEBHOOKS = false;

  /** How long a rotated-out secret keeps signing next to the new one. */
  @Matches(DURATION)
  SECRET_ROTATION_GRACE = '24h';

  /**
   * The key that encrypts webhook signing secrets at rest: base64 of 32 random bytes, inline or in a file
   * (not both). Required in production; development and test generate .run/secrets-encryption.key.
   */
  @Matches(OPTIONAL_KEY, { message: KEY_MESSAGE })
  SECRETS_ENCRYPTION_KEY = '';

  /** A file holding SECRETS_ENCRYPTION_KEY; outside production a missing file is generated. */
  @IsString()
  SECRETS_ENCRYPTION_KEY_FILE = '';

  /** Earlier keys, comma-separated, that still decrypt while `secrets reencrypt` moves values off them. */
  @Matches(KEY_LIST, { message: `${KEY_MESSAGE}, comma-separated` })
  SECRETS_DECRYPTION_KEYS = '';

  /** A file of earlier keys, one a line (# comments allowed). */
  @IsString()
  SECRETS_DECRYPTION_KEYS_FILE = '';

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  BULK_RETRY_MAX_EVENTS = 100_000;

  /** Bulk retry jobs of one tenant that run at once; the tenant's later jobs wait `queued`. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  BULK_RETRY_JOBS_PER_TENANT = 2;

  /**
   * How long a bulk retry job stays with the API process running it without a renewal (renewed every
   * third of it): a process that died gives its jobs up to another after this long.
   */
  @Matches(DURATION)
  BULK_RETRY_LEASE = '15s';

  /** Events read, published and checkpointed together by a bulk retry job. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1_000)
  BULK_RETRY_PAGE_SIZE = 500;

  /** Port of the dispatcher's /health and /ready (status only); 0 picks a free one (several dispatchers per host). */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  DISPATCHER_PORT = 3001;

  @IsString()
  DISPATCHER_HOST = '127.0.0.1';

  /** The dispatcher's ops listener: /metrics and health with details (DISPATCHER_PORT answers status only). */
  @IsString()
  DISPATCHER_METRICS_HOST = '127.0.0.1';

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  DISPATCHER_METRICS_PORT = 3101;

  @Matches(DURATION)
  DELIVERY_CONNECT_TIMEOUT = '5s';

  @Matches(DURATION)
  DELIVERY_TIMEOUT = '15s';

  /** Delays before automatic retries 1..n after the first (immediate) attempt. */
  @Matches(DURATION_LIST)
  RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(1)
  RETRY_JITTER = 0.2;

  /** Floor on the next retry after a timeout or a 429. */
  @Matches(DURATION)
  RETRY_THROTTLED_MIN_DELAY = '60s';

  /** Ceiling on a receiver's Retry-After. */
  @Matches(DURATION)
  RETRY_AFTER_MAX = '1h';

  /** An endpoint failing with no success for this long is disabled. */
  @Matches(DURATION)
  AUTO_DISABLE_AFTER = '5d';

  /**
   * How often each dispatcher looks for FIFO deliveries still held back although the delivery ahead
   * of them has finished (a safety net: each finished delivery releases the next one straight away; on
   * FerretDB the look is a scan of every delivery, so not too often).
   */
  @Matches(DURATION)
  FIFO_SWEEP_INTERVAL = '2m';

  /**
   * A delivery with nothing scheduled and no change for this long is sent again, under its original
   * command id (so never twice to the receiver): one never attempted whose initial command was lost, or a
   * retry whose scheduler died before publishing it. A safety net; checked every half of it.
   */
  @Matches(DURATION)
  STRANDED_DELIVERY_AFTER = '10m';

  /** Concurrent requests one dispatcher sends to one endpoint. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  ENDPOINT_CONCURRENCY = 16;

  /**
   * How often each dispatcher counts the dispatchers sharing the delivery commands, to take its share of
   * every webhook's rateLimit. Until the next count after a dispatcher joins or leaves, the shares are off.
   */
  @Matches(DURATION)
  ENDPOINT_RATE_SHARE_REFRESH = '10s';

  /** Deliveries one dispatcher holds in flight before it pauses fetching. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  DISPATCHER_MAX_IN_FLIGHT = 1000;

  /**
   * Event payload bytes one dispatcher holds in memory (its deliveries in flight) before it stops reading
   * more commands: with large payloads this, not the count above, keeps the heap bounded.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(256 * 1024)
  DISPATCHER_MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

  /** Allows loopback and private webhook targets; for local development and tests only. */
  @Transform(toBoolean)
  @IsBoolean()
  ALLOW_PRIVATE_TARGETS = false;

  /**
   * Age after which an event (with its payload) and its deliveries are deleted, unless one of those
   * deliveries may still be attempted. 0 keeps them forever.
   */
  @IsRetention()
  RETENTION_EVENTS = '30d';

  /** Age after which a delivery attempt (the logs) is deleted; 0 keeps them forever. */
  @IsRetention()
  RETENTION_ATTEMPTS = '30d';

  /** Age after which a bulk retry job is deleted; 0 keeps them forever. */
  @IsRetention()
  RETENTION_RETRY_JOBS = '30d';

  /** Comma-separated host[:port] entries exempt from the private-target check, e.g. a test receiver. */
  @IsOptional()
  @IsString()
  PRIVATE_TARGET_ALLOWLIST = '';

  /**
   * Tracing (OpenTelemetry). `otlp` or `console` turns it on; unset or `none` leaves it off, and the SDK is
   * then not loaded at all (unlike the specification's default of `otlp`).
   */
  @IsIn(['none', 'otlp', 'console'], { message: '$property must be one of: none, otlp, console' })
  OTEL_TRACES_EXPORTER = 'none';

  /** The standard switch: true keeps tracing off whatever OTEL_TRACES_EXPORTER says. */
  @Transform(toBoolean)
  @IsBoolean()
  OTEL_SDK_DISABLED = false;

  /** How spans are sent to OTEL_EXPORTER_OTLP_ENDPOINT (gRPC is not bundled). */
  @IsIn(['', ...OTLP_PROTOCOLS], { message: `$property must be one of: ${OTLP_PROTOCOLS.join(', ')}` })
  OTEL_EXPORTER_OTLP_PROTOCOL = '';

  /** Overrides OTEL_EXPORTER_OTLP_PROTOCOL for traces. */
  @IsIn(['', ...OTLP_PROTOCOLS], { message: `$property must be one of: ${OTLP_PROTOCOLS.join(', ')}` })
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = '';

  /** service.name of the spans; webhook-api or webhook-dispatcher when empty. */
  @IsString()
  OTEL_SERVICE_NAME = '';

  /**
   * Not a variable: each topic's settings, from the KAFKA_ ones above and the per-topic
   * KAFKA_TOPIC_<TOPIC>_<SETTING> variables (kafka-topic-settings.ts), filled in by validateEnvironment.
   */
  kafkaTopics: KafkaTopicSettings[] = [];
}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(environment, { skipMissingProperties: false });
  const details = errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`);
  if (details.length === 0) {
    const topics = readKafkaTopicSettings(defined, environment);
    if ('problems' in topics) details.push(...topics.problems);
    else environment.kafkaTopics = topics.settings;
  }
  if (details.length > 0) throw new Error(`Invalid environment:\n  ${details.join('\n  ')}`);
  parseDurationList(environment.RETRY_SCHEDULE);
  const kafkaProblems = kafkaSecurityProblems(environment);
  if (kafkaProblems.length > 0) throw new Error(`Invalid environment:\n  ${kafkaProblems.join('\n  ')}`);
  const key = environment.SECRETS_ENCRYPTION_KEY || environment.SECRETS_ENCRYPTION_KEY_FILE;
  if (environment.NODE_ENV === 'production' && !key) throw new Error(`Invalid environment:\n  ${SECRETS_KEY_REQUIRED}`);
  return environment;
}

export { parseDuration, parseDurationList };
