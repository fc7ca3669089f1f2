import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRETS_KEY_REQUIRED } from '@app/config';
import { secretKeyId } from './secret-cipher';
import { DEV_SECRETS_KEY_FILE, ensureSecretKeyFile, loadSecretKeyRing, SecretKeySettings } from './secret-key-ring';

describe('loadSecretKeyRing', () => {
  let dir: string;
  const key = () => randomBytes(32).toString('base64');
  const settings = (changes: Partial<SecretKeySettings>): SecretKeySettings => ({
    NODE_ENV: 'production',
    SECRETS_ENCRYPTION_KEY: '',
    SECRETS_ENCRYPTION_KEY_FILE: '',
    SECRETS_DECRYPTION_KEYS: '',
    SECRETS_DECRYPTION_KEYS_FILE: '',
    ...changes,
  });
  const idOf = (base64: string) => secretKeyId(Buffer.from(base64, 'base64'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secret-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the current key inline or from a file, and older keys from a list and a file', () => {
    const [current, listed, filed] = [key(), key(), key()];
    writeFileSync(join(dir, 'current'), `${current}\n`);
    writeFileSync(join(dir, 'older'), `# retired 2030-01\n${filed}\n\n`);

    const inline = loadSecretKeyRing(settings({ SECRETS_ENCRYPTION_KEY: current }));
    const fromFiles = loadSecretKeyRing(
      settings({
        SECRETS_ENCRYPTION_KEY_FILE: join(dir, 'current'),
        SECRETS_DECRYPTION_KEYS: ` ${listed} `,
        SECRETS_DECRYPTION_KEYS_FILE: join(dir, 'older'),
      }),
    );

    expect(inline.currentId).toBe(idOf(current));
    expect(inline.ids).toEqual([idOf(current)]);
    expect(fromFiles.currentId).toBe(idOf(current));
    expect(fromFiles.ids).toEqual([idOf(current), idOf(listed), idOf(filed)]);
  });

  it('refuses to run in production without a key, naming the settings', () => {
    expect(() => loadSecretKeyRing(settings({}))).toThrow(SECRETS_KEY_REQUIRED);
    expect(SECRETS_KEY_REQUIRED).toMatch(/SECRETS_ENCRYPTION_KEY or SECRETS_ENCRYPTION_KEY_FILE/);
  });

  it('never generates a key in production: a missing key file is an error', () => {
    const file = join(dir, 'missing.key');
    expect(() => loadSecretKeyRing(settings({ SECRETS_ENCRYPTION_KEY_FILE: file }))).toThrow(
      /^SECRETS_ENCRYPTION_KEY_FILE: cannot read .*missing\.key/,
    );
    expect(() => statSync(file)).toThrow();
  });

  it.each(['development', 'test'])('in %s, generates a missing key file once and reuses it', (NODE_ENV) => {
    const file = join(dir, 'nested', 'dev.key');
    const generated: string[] = [];

    const first = loadSecretKeyRing(settings({ NODE_ENV, SECRETS_ENCRYPTION_KEY_FILE: file }), (path) =>
      generated.push(path),
    );
    const second = loadSecretKeyRing(settings({ NODE_ENV, SECRETS_ENCRYPTION_KEY_FILE: file }), (path) =>
      generated.push(path),
    );

    expect(generated).toEqual([file]);
    expect(second.currentId).toBe(first.currentId);
    expect(first.currentId).toBe(idOf(readFileSync(file, 'utf8')));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('defaults to a key file in the ignored run folder outside production', () => {
    expect(DEV_SECRETS_KEY_FILE).toBe('.run/secrets-encryption.key');
  });

  it.each([
    [{ SECRETS_ENCRYPTION_KEY: 'x', SECRETS_ENCRYPTION_KEY_FILE: 'y' }, /not both/],
    [{ SECRETS_ENCRYPTION_KEY: randomBytes(31).toString('base64') }, /^SECRETS_ENCRYPTION_KEY must be the base64/],
    [{ SECRETS_ENCRYPTION_KEY: key(), SECRETS_DECRYPTION_KEYS: 'nope' }, /^SECRETS_DECRYPTION_KEYS entry 1 must be/],
  ])('refuses %p', (changes, message) => {
    expect(() => loadSecretKeyRing(settings(changes))).toThrow(message);
  });
});

describe('ensureSecretKeyFile', () => {
  it('leaves an existing key alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-keys-'));
    const file = join(dir, 'key');
    writeFileSync(file, 'kept\n');

    expect(ensureSecretKeyFile(file)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    rmSync(dir, { recursive: true, force: true });
  });
});
