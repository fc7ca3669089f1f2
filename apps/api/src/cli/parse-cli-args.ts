/** What the operator asked the CLI to do, parsed from argv (without node and the script path). */
export type CliCommand =
  | { kind: 'create-token'; tenantId: string; name?: string }
  | { kind: 'revoke-token'; tokenId: string }
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string };

export const CLI_USAGE = [
  'Usage:',
  '  npm run cli -- tokens create --tenant <tenant-id> [--name <label>]   prints the new token on its last line',
  '  npm run cli -- tokens revoke <token-id>',
].join('\n');

export function parseCliArgs(argv: string[]): CliCommand {
  const [group, action, ...rest] = argv;
  if (group === undefined || ['help', '--help', '-h'].includes(group)) return { kind: 'help' };
  if (group !== 'tokens') return { kind: 'invalid', reason: `unknown command "${group}"` };
  if (action === 'create') return parseCreate(rest);
  if (action === 'revoke') {
    if (rest.length !== 1) return { kind: 'invalid', reason: 'tokens revoke takes exactly one token id' };
    return { kind: 'revoke-token', tokenId: rest[0] };
  }
  return { kind: 'invalid', reason: `unknown tokens action "${action ?? ''}"` };
}

function parseCreate(args: string[]): CliCommand {
  const options = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if (!['--tenant', '--name'].includes(flag)) return { kind: 'invalid', reason: `unknown option "${flag}"` };
    if (value === undefined || value.startsWith('--')) return { kind: 'invalid', reason: `${flag} needs a value` };
    options.set(flag, value);
  }
  const tenantId = options.get('--tenant');
  if (!tenantId) return { kind: 'invalid', reason: 'tokens create needs --tenant <tenant-id>' };
  return { kind: 'create-token', tenantId, name: options.get('--name') };
}
