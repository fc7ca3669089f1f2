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

  it('parses secrets reencrypt with an optional batch size and starting point', () => {
    expect(parseCliArgs(['secrets', 'reencrypt'])).toEqual({ kind: 'reencrypt-secrets', batchSize: 200 });
    expect(parseCliArgs(['secrets', 'reencrypt', '--batch-size', '50', '--after', 'wh-9'])).toEqual({
      kind: 'reencrypt-secrets',
      batchSize: 50,
      after: 'wh-9',
    });
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
    [['secrets', 'rotate'], 'unknown secrets action "rotate"'],
    [['secrets', 'reencrypt', '--batch-size', '0'], '--batch-size must be a whole number from 1 to 10000'],
    [['secrets', 'reencrypt', '--batch-size'], '--batch-size needs a value'],
    [['secrets', 'reencrypt', '--tenant', 'a'], 'unknown option "--tenant"'],
  ])('refuses %p', (argv, reason) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'invalid', reason });
  });
});
