import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateEnvironment } from './environment';
import { kafkaSecurityProblems, KafkaSecuritySettings, readKafkaPasswordFile } from './kafka-security';

const NONE: KafkaSecuritySettings = {
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
  KAFKA_TLS: false,
  KAFKA_TLS_CA_FILE: '',
  KAFKA_TLS_CERT_FILE: '',
  KAFKA_TLS_KEY_FILE: '',
};

/** Files by path; any other path is missing, as readFileSync reports it. */
const files: Record<string, string> = { '/etc/kafka/ca.pem': 'CA', '/etc/kafka/password': 'pw\n', '/empty': '\n' };
const read = (path: string) => {
  if (path in files) return files[path];
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
};
const problems = (settings: Partial<KafkaSecuritySettings>) => kafkaSecurityProblems({ ...NONE, ...settings }, read);

describe('kafkaSecurityProblems', () => {
  it.each<[string, Partial<KafkaSecuritySettings>]>([
    ['nothing set', {}],
    [
      'SCRAM with an inline password',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 'pw' },
    ],
    [
      'PLAIN with a password file, over TLS with a CA',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'app',
        KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password',
        KAFKA_TLS: true,
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      },
    ],
    ['TLS with public CAs', { KAFKA_TLS: true }],
    [
      'mutual TLS',
      {
        KAFKA_TLS: true,
        KAFKA_TLS_CERT_FILE: '/etc/kafka/ca.pem',
        KAFKA_TLS_KEY_FILE: '/etc/kafka/password',
      },
    ],
  ])('accepts %s', (_name, settings) => expect(problems(settings)).toEqual([]));

  it.each<[string, Partial<KafkaSecuritySettings>, string]>([
    [
      'a mechanism without a username',
      { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'pw' },
      'KAFKA_SASL_USERNAME must be set when KAFKA_SASL_MECHANISM is (scram-sha-256)',
    ],
    [
      'a mechanism without a password',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'app' },
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE must be set when KAFKA_SASL_MECHANISM is (plain)',
    ],
    [
      'a username without a mechanism',
      { KAFKA_SASL_USERNAME: 'app' },
      'KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512) must be set when KAFKA_SASL_USERNAME is',
    ],
    [
      'both password settings',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'app',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password',
      },
      'Set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    ],
    [
      'an unreadable password file',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD_FILE: '/nowhere' },
      `KAFKA_SASL_PASSWORD_FILE: cannot read ${resolve('/nowhere')} (ENOENT: no such file or directory, open '/nowhere')`,
    ],
    [
      'a CA file without KAFKA_TLS',
      { KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem' },
      'KAFKA_TLS must be true when KAFKA_TLS_CA_FILE is set',
    ],
    [
      'an unreadable CA file',
      { KAFKA_TLS: true, KAFKA_TLS_CA_FILE: '/nowhere' },
      `KAFKA_TLS_CA_FILE: cannot read ${resolve('/nowhere')} (ENOENT: no such file or directory, open '/nowhere')`,
    ],
    [
      'an empty CA file',
      { KAFKA_TLS: true, KAFKA_TLS_CA_FILE: '/empty' },
      `KAFKA_TLS_CA_FILE: ${resolve('/empty')} is empty`,
    ],
    [
      'a client certificate without its key',
      { KAFKA_TLS: true, KAFKA_TLS_CERT_FILE: '/etc/kafka/ca.pem' },
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (mutual TLS): set KAFKA_TLS_KEY_FILE too',
    ],
  ])('refuses %s, naming the setting', (_name, settings, problem) => expect(problems(settings)).toEqual([problem]));

  it('never quotes the password', () => {
    const found = problems({ KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).not.toContain('hunter2-secret');
  });

  it('reads a password file without its final line break', () => {
    expect(readKafkaPasswordFile('/etc/kafka/password', read)).toBe('pw');
  });
});

describe('validateEnvironment (Kafka security)', () => {
  it('fails start-up on a bad combination, naming the setting', () => {
    expect(() => validateEnvironment({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_PASSWORD: 'pw' })).toThrow(
      /^Invalid environment:\n {2}KAFKA_SASL_USERNAME must be set when KAFKA_SASL_MECHANISM is \(scram-sha-512\)$/,
    );
    expect(() => validateEnvironment({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /KAFKA_SASL_MECHANISM: .*must be one of/,
    );
  });

  it('reads the files it is given, once at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const environment = validateEnvironment({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(environment).toMatchObject({ KAFKA_TLS: true, KAFKA_SASL_MECHANISM: '' });
    expect(() => validateEnvironment({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      /KAFKA_TLS_CA_FILE: cannot read .*missing\.pem/,
    );
  });
});
