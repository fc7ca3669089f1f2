import { parseCliArgs } from './parse-cli-args';

describe('parseCliArgs', () => {
  it('parses tokens create with a tenant and an optional name', () => {
    expect(parseCliArgs(['tokens', 'create', '--tenant', 'acme'])).toEqual({
      kind: 'create-token',
      tenantId: 'acme',
      name: undefined,
    });
    expect(parseCliArgs(['tokens', 'create', '--name', 'ci', '--tenant', 'acme'])).toEqual({
      kind: 'create-token',
      tenantId: 'acme',
      name: 'ci',
    });
  });

  it('parses tokens revoke', () => {
    expect(parseCliArgs(['tokens', 'revoke', 'abc'])).toEqual({ kind: 'revoke-token', tokenId: 'abc' });
  });

  it('shows help without arguments', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'help' });
  });

  it.each([
    [['tokens', 'create'], 'tokens create needs --tenant <tenant-id>'],
    [['tokens', 'create', '--tenant'], '--tenant needs a value'],
    [['tokens', 'create', '--tenant', 'a', '--color', 'red'], 'unknown option "--color"'],
    [['tokens', 'revoke'], 'tokens revoke takes exactly one token id'],
    [['webhooks'], 'unknown command "webhooks"'],
  ])('refuses %p', (argv, reason) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'invalid', reason });
  });
});
