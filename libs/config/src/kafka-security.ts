import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** The Kafka security settings of the environment (Environment has them, under the same names). */
export interface KafkaSecuritySettings {
  KAFKA_SASL_MECHANISM: '' | KafkaSaslMechanism;
  KAFKA_SASL_USERNAME: string;
  KAFKA_SASL_PASSWORD: string;
  KAFKA_SASL_PASSWORD_FILE: string;
  KAFKA_TLS: boolean;
  KAFKA_TLS_CA_FILE: string;
  KAFKA_TLS_CERT_FILE: string;
  KAFKA_TLS_KEY_FILE: string;
}

export type FileReader = (path: string) => string;
const readUtf8: FileReader = (path) => readFileSync(path, 'utf8');

const TLS_FILES = ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'] as const;

/**
 * What is wrong with the Kafka SASL and TLS settings taken together, one message per problem, each naming
 * the setting to change; empty when they make sense. Files are read, so an unreadable one is found at
 * start-up rather than at the first connection. Messages never contain a password.
 */
export function kafkaSecurityProblems(settings: KafkaSecuritySettings, read: FileReader = readUtf8): string[] {
  const problems: string[] = [];
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  const password = settings.KAFKA_SASL_PASSWORD;
  const passwordFile = settings.KAFKA_SASL_PASSWORD_FILE;
  if (mechanism) {
    if (!settings.KAFKA_SASL_USERNAME) {
      problems.push(`KAFKA_SASL_USERNAME must be set when KAFKA_SASL_MECHANISM is (${mechanism})`);
    }
    if (!password && !passwordFile) {
      problems.push(
        `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE must be set when KAFKA_SASL_MECHANISM is (${mechanism})`,
      );
    }
  } else {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const) {
      if (settings[name]) {
        problems.push(`KAFKA_SASL_MECHANISM (${KAFKA_SASL_MECHANISMS.join(', ')}) must be set when ${name} is`);
      }
    }
  }
  if (password && passwordFile) problems.push('Set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  if (passwordFile) {
    try {
      readKafkaPasswordFile(passwordFile, read);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  for (const name of TLS_FILES) {
    if (!settings[name]) continue;
    if (!settings.KAFKA_TLS) problems.push(`KAFKA_TLS must be true when ${name} is set`);
    try {
      readKafkaSettingFile(name, settings[name], read);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (Boolean(settings.KAFKA_TLS_CERT_FILE) !== Boolean(settings.KAFKA_TLS_KEY_FILE)) {
    const missing = settings.KAFKA_TLS_CERT_FILE ? 'KAFKA_TLS_KEY_FILE' : 'KAFKA_TLS_CERT_FILE';
    problems.push(`KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (mutual TLS): set ${missing} too`);
  }
  return problems;
}

/** The contents of the file a Kafka setting names; the error names the setting and the path. */
export function readKafkaSettingFile(setting: string, path: string, read: FileReader = readUtf8): string {
  let text: string;
  try {
    text = read(resolve(path));
  } catch (error) {
    throw new Error(`${setting}: cannot read ${resolve(path)} (${(error as Error).message})`);
  }
  if (text.trim() === '') throw new Error(`${setting}: ${resolve(path)} is empty`);
  return text;
}

/** The password in KAFKA_SASL_PASSWORD_FILE, without the line break editors and `echo` leave at its end. */
export function readKafkaPasswordFile(path: string, read: FileReader = readUtf8): string {
  return readKafkaSettingFile('KAFKA_SASL_PASSWORD_FILE', path, read).replace(/\r?\n$/, '');
}
