import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/infra';

const run = promisify(execFile);

/**
 * Issues an API token the way the README tells an operator to (`npm run cli -- tokens create`), with the
 * same node flags as that npm script; the token is the last line the CLI prints.
 */
export async function issueTokenWithCli(env: Record<string, string>, tenantId: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/api/src/cli.ts',
      'tokens',
      'create',
      '--tenant',
      tenantId,
      '--name',
      'console e2e',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, timeout: 60_000 },
  );
  const token = stdout.trim().split('\n').pop() ?? '';
  if (!/^whk_/.test(token)) throw new Error(`The CLI printed no token:\n${stdout}`);
  return token;
}
