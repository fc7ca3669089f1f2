import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Environment, SECRETS_KEY_REQUIRED } from '@app/config';
import { parseSecretKey, SecretKeyRing } from './secret-cipher';

export type SecretKeySettings = Pick<
  Environment,
  | 'NODE_ENV'
  | 'SECRETS_ENCRYPTION_KEY'
  | 'SECRETS_ENCRYPTION_KEY_FILE'
  | 'SECRETS_DECRYPTION_KEYS'
  | 'SECRETS_DECRYPTION_KEYS_FILE'
>;

/**
 * Where development and test keep the key they generate when none is configured, relative to the working
 * directory (the repository root for npm start, npm test and npm run cli), so the API, the dispatcher and
 * the CLI of one checkout share it.
 */
export const DEV_SECRETS_KEY_FILE = '.run/secrets-encryption.key';

/**
 * The key ring from the settings: the current key from SECRETS_ENCRYPTION_KEY or the file named by
 * SECRETS_ENCRYPTION_KEY_FILE, older keys from SECRETS_DECRYPTION_KEYS (comma-separated) and
 * SECRETS_DECRYPTION_KEYS_FILE (one a line). Outside production, a missing key file (by default
 * DEV_SECRETS_KEY_FILE) is generated, and `onGenerated` told once, by the process that wrote it.
 */
export function loadSecretKeyRing(settings: SecretKeySettings, onGenerated?: (path: string) => void): SecretKeyRing {
  const inline = settings.SECRETS_ENCRYPTION_KEY;
  const production = settings.NODE_ENV === 'production';
  const file = settings.SECRETS_ENCRYPTION_KEY_FILE || (production || inline ? '' : DEV_SECRETS_KEY_FILE);
  if (inline && file) throw new Error('Set SECRETS_ENCRYPTION_KEY or SECRETS_ENCRYPTION_KEY_FILE, not both');
  if (!inline && !file) throw new Error(SECRETS_KEY_REQUIRED);
  if (file && !production && ensureSecretKeyFile(file)) onGenerated?.(resolve(file));
  const current = inline
    ? parseSecretKey(inline, 'SECRETS_ENCRYPTION_KEY')
    : parseSecretKey(readSetting(file, 'SECRETS_ENCRYPTION_KEY_FILE'), `SECRETS_ENCRYPTION_KEY_FILE (${file})`);
  const older = [
    ...keyList(settings.SECRETS_DECRYPTION_KEYS, ',').map((key, index) =>
      parseSecretKey(key, `SECRETS_DECRYPTION_KEYS entry ${index + 1}`),
    ),
    ...(settings.SECRETS_DECRYPTION_KEYS_FILE
      ? keyList(readSetting(settings.SECRETS_DECRYPTION_KEYS_FILE, 'SECRETS_DECRYPTION_KEYS_FILE'), '\n').map(
          (key, index) => parseSecretKey(key, `SECRETS_DECRYPTION_KEYS_FILE line ${index + 1} (key lines only)`),
        )
      : []),
  ];
  return new SecretKeyRing(current, older);
}

/**
 * Writes a new random key to `path` unless a file is there; true when this call wrote it. Written aside and
 * linked into place, so processes starting together never read a half-written key and all end up with one.
 */
export function ensureSecretKeyFile(path: string): boolean {
  const target = resolve(path);
  try {
    readFileSync(target);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(target), { recursive: true });
  const aside = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(aside, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(aside);
  }
}

function readSetting(path: string, setting: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new Error(`${setting}: cannot read ${resolve(path)} (${(error as Error).message})`);
  }
}

/** Entries of a list, blank ones and `#` comment lines left out. */
function keyList(text: string, separator: string): string[] {
  return text
    .split(separator)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
}
