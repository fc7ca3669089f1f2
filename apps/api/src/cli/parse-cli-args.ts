/** What the operator asked the CLI to do, parsed from argv (without node and the script path). */
export type CliCommand =
  | { kind: 'create-token'; tenantId: string; name?: string }
  | { kind: 'revoke-token'; tokenId: string }
  | { kind: 'reencrypt-secrets'; batchSize: number; after?: string }
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string };

export const CLI_USAGE = [
  'Usage:',
  '  npm run cli -- tokens create --tenant <tenant-id> [--name <label>]   prints the new token on its last line',
  '  npm run cli -- tokens revoke <token-id>',
  '  npm run cli -- secrets reencrypt [--batch-size <n>] [--after <webhook-id>]',
  '      re-encrypts every webhook signing secret under SECRETS_ENCRYPTION_KEY; safe to stop and run again',
].join('\n');

const DEFAULT_REENCRYPT_BATCH = 200;

export function parseCliArgs(argv: string[]): CliCommand {
  const [group, action, ...rest] = argv;
  if (group === undefined || ['help', '--help', '-h'].includes(group)) return { kind: 'help' };
  if (group === 'secrets') return parseSecrets(action, rest);
  if (group !== 'tokens') return { kind: 'invalid', reason: `unknown command "${group}"` };
  if (action === 'create') return parseCreate(rest);
  if (action === 'revoke') {
    if (rest.length !== 1) return { kind: 'invalid', reason: 'tokens revoke takes exactly one token id' };
    return { kind: 'revoke-token', tokenId: rest[0] };
  }
  return { kind: 'invalid', reason: `unknown tokens action "${action ?? ''}"` };
}

function parseSecrets(action: string | undefined, args: string[]): CliCommand {
  if (action !== 'reencrypt') return { kind: 'invalid', reason: `unknown secrets action "${action ?? ''}"` };
  const options = parseOptions(args, ['--batch-size', '--after']);
  if ('reason' in options) return { kind: 'invalid', reason: options.reason };
  const batchSize = Number(options.get('--batch-size') ?? DEFAULT_REENCRYPT_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    return { kind: 'invalid', reason: '--batch-size must be a whole number from 1 to 10000' };
  }
  return { kind: 'reencrypt-secrets', batchSize, after: options.get('--after') };
}

function parseOptions(args: string[], known: string[]): Map<string, string> | { reason: string } {
  const options = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (!known.includes(flag)) return { reason: `unknown option "${flag}"` };
    if (value === undefined || value.startsWith('--')) return { reason: `${flag} needs a value` };
    options.set(flag, value);
  }
  return options;
}

function parseCreate(args: string[]): CliCommand {
  const options = parseOptions(args, ['--tenant', '--name']);
  if ('reason' in options) return { kind: 'invalid', reason: options.reason };
  const tenantId = options.get('--tenant');
  if (!tenantId) return { kind: 'invalid', reason: 'tokens create needs --tenant <tenant-id>' };
  return { kind: 'create-token', tenantId, name: options.get('--name') };
}
