import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureSecretKeyFile, loadSecretKeyRing, SecretCipher } from '@app/persistence';
import { AppProcess } from '../../test/support/app-process';
import { sleep } from '../../test/support/wait-for';

export { freePort } from '../../test/support/app-process';
export { sleep };

export const REPO_ROOT = resolve(__dirname, '../..');

/** The Dockerfile's `ENV name=value` line for `name`, unquoted ('' when it has none). */
function imageEnv(name: string): string {
  const line = new RegExp(`^ENV ${name}=(.*)$`, 'm').exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  return (line?.[1] ?? '').replace(/^"(.*)"$/, '$1');
}

/** How the production image runs Node: its heap limits and malloc arenas. */
export const IMAGE_RUNTIME_ENV = {
  NODE_OPTIONS: imageEnv('NODE_OPTIONS'),
  MALLOC_ARENA_MAX: imageEnv('MALLOC_ARENA_MAX'),
};

/**
 * The bench's key for webhook secrets at rest, in a file generated once: production mode needs a key, and
 * the seeding (BenchDatabase) must seal with the one the apps open with.
 */
export function benchSecretsKeyFile(): string {
  const file = join(REPO_ROOT, '.run/bench/secrets-encryption.key');
  ensureSecretKeyFile(file);
  return file;
}

export function benchSecretCipher(): SecretCipher {
  return new SecretCipher(
    loadSecretKeyRing({
      NODE_ENV: 'production',
      SECRETS_ENCRYPTION_KEY: '',
      SECRETS_ENCRYPTION_KEY_FILE: benchSecretsKeyFile(),
      SECRETS_DECRYPTION_KEYS: '',
      SECRETS_DECRYPTION_KEYS_FILE: '',
    }),
  );
}

/** A built app as a child process, started the way the production image runs it. */
export class BenchApp extends AppProcess {
  constructor(
    app: 'api' | 'dispatcher',
    port: number,
    env: Record<string, string>,
    logFile: string,
    nodeArgs: string[] = [],
  ) {
    super(app, port, env, app, {
      logFile,
      nodeArgs,
      defaults: {
        NODE_ENV: 'production',
        SECRETS_ENCRYPTION_KEY: '',
        SECRETS_ENCRYPTION_KEY_FILE: benchSecretsKeyFile(),
        ...IMAGE_RUNTIME_ENV,
      },
      readyTimeoutMs: 90_000,
    });
  }

  /** Stops gracefully (so a --cpu-prof profile gets written), or kills after a minute. */
  override stop(graceMs = 60_000): Promise<number | null> {
    return super.stop(graceMs);
  }
}

/** Polls `probe` until it returns true, or throws after `timeoutMs`. */
export async function waitUntil(
  description: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(intervalMs);
  }
}
