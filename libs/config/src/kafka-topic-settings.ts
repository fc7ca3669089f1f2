import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, validateSync } from 'class-validator';
import { KafkaTopic } from '@app/contracts';
import { parseDuration } from './duration';
import { IsRetention, toNumber } from './validators';

export const CLEANUP_POLICIES = ['delete', 'compact', 'compact,delete'] as const;
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** How one of the project's topics is created, and what a start checks when it may not create it. */
export interface KafkaTopicSettings {
  topic: KafkaTopic;
  partitions: number;
  replicationFactor: number;
  /** Unset: the broker's default. */
  minInsyncReplicas?: number;
  /** retention.ms, -1 for forever; unset: the broker's default. */
  retentionMs?: number;
  /** cleanup.policy; unset: the broker's default (delete). */
  cleanupPolicy?: CleanupPolicy;
}

/** The settings every topic takes unless its own variables say otherwise. */
interface TopicDefaults {
  KAFKA_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS?: number;
}

const PREFIX = 'KAFKA_TOPIC_';

/** One topic's variables, KAFKA_TOPIC_<TOPIC>_<property>; the messages name the variable themselves. */
class TopicVariables {
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 1000' })
  @Min(1, { message: 'must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'must be a whole number from 1 to 1000' })
  PARTITIONS?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 7' })
  @Min(1, { message: 'must be a whole number from 1 to 7' })
  @Max(7, { message: 'must be a whole number from 1 to 7' })
  REPLICATION_FACTOR?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 7' })
  @Min(1, { message: 'must be a whole number from 1 to 7' })
  @Max(7, { message: 'must be a whole number from 1 to 7' })
  MIN_INSYNC_REPLICAS?: number;

  /** Same rule as the RETENTION_* settings: 0 keeps forever, else at least an hour. */
  @IsOptional()
  @IsRetention({ message: 'must be 0 (keep forever) or a duration of at least 1h, e.g. 7d' })
  RETENTION?: string;

  @IsOptional()
  @IsIn(CLEANUP_POLICIES, { message: `must be one of ${CLEANUP_POLICIES.join(', ')}` })
  CLEANUP_POLICY?: string;
}

const SETTING_NAMES: readonly (keyof TopicVariables)[] = [
  'PARTITIONS',
  'REPLICATION_FACTOR',
  'MIN_INSYNC_REPLICAS',
  'RETENTION',
  'CLEANUP_POLICY',
];

/**
 * The name a topic's variables start with: its KafkaTopic key in capitals, e.g. DeliveryCommands →
 * KAFKA_TOPIC_DELIVERY_COMMANDS_. Part of the deployment contract, like the topic names.
 */
export function topicVariablePrefix(topic: KafkaTopic): string {
  const key = Object.entries(KafkaTopic).find(([, name]) => name === topic)![0];
  return `${PREFIX}${key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_`;
}

/**
 * Every topic's settings from KAFKA_TOPIC_<TOPIC>_<SETTING>, falling back to KAFKA_PARTITIONS,
 * KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS, or the problems, each naming its variable.
 * A KAFKA_TOPIC_ variable that names no topic or setting is a problem too: a typo would otherwise be
 * ignored and the topic created with the defaults.
 */
export function readKafkaTopicSettings(
  raw: Record<string, unknown>,
  defaults: TopicDefaults,
): { settings: KafkaTopicSettings[] } | { problems: string[] } {
  const problems: string[] = [];
  const known = new Set<string>();
  const settings = Object.values(KafkaTopic).map((topic) => {
    const prefix = topicVariablePrefix(topic);
    const own = Object.fromEntries(
      SETTING_NAMES.map((name) => [name, raw[prefix + name]]).filter(([, v]) => v !== undefined),
    );
    SETTING_NAMES.forEach((name) => known.add(prefix + name));
    const variables = plainToInstance(TopicVariables, own);
    for (const error of validateSync(variables)) {
      problems.push(`${prefix}${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`);
    }
    const topicSettings: KafkaTopicSettings = {
      topic,
      partitions: variables.PARTITIONS ?? defaults.KAFKA_PARTITIONS,
      replicationFactor: variables.REPLICATION_FACTOR ?? defaults.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: variables.MIN_INSYNC_REPLICAS ?? defaults.KAFKA_MIN_INSYNC_REPLICAS,
      retentionMs: retentionMs(variables.RETENTION),
      cleanupPolicy: variables.CLEANUP_POLICY as CleanupPolicy | undefined,
    };
    const { minInsyncReplicas, replicationFactor } = topicSettings;
    if (minInsyncReplicas !== undefined && minInsyncReplicas > replicationFactor) {
      const source =
        variables.MIN_INSYNC_REPLICAS === undefined ? 'KAFKA_MIN_INSYNC_REPLICAS' : `${prefix}MIN_INSYNC_REPLICAS`;
      problems.push(
        `${source}: ${minInsyncReplicas} is more than ${topic}'s replication factor ${replicationFactor}, ` +
          'so no acks=all write to it could ever succeed',
      );
    }
    return topicSettings;
  });
  const unknown = Object.keys(raw).filter((name) => name.startsWith(PREFIX) && !known.has(name));
  for (const name of unknown) {
    problems.push(
      `${name}: not a setting; per-topic settings are ${PREFIX}<TOPIC>_<SETTING> with <TOPIC> one of ` +
        `${Object.values(KafkaTopic)
          .map((topic) => topicVariablePrefix(topic).slice(PREFIX.length, -1))
          .join(', ')} ` +
        `and <SETTING> one of ${SETTING_NAMES.join(', ')}`,
    );
  }
  return problems.length > 0 ? { problems } : { settings };
}

/** 0 keeps forever, which Kafka spells -1. */
function retentionMs(retention: string | undefined): number | undefined {
  if (retention === undefined) return undefined;
  const ms = parseDuration(retention);
  return ms === 0 ? -1 : ms;
}
