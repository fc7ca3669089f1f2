import { parseCliArgs } from './parse-cli-args';

describe('parseCliArgs', () => {
  const now = new Date('2026-12-06T12:00:00.000Z');

  it('parses tokens create with a tenant and an optional name: full scope, no expiry by default', () => {
    expect(parseCliArgs(['tokens', 'create', '--tenant', 'acme'])).toEqual({
      kind: 'create-token',
      tenantId: 'acme',
      name: undefined,
      scope: 'full',
      expiresAt: undefined,
    });
    expect(parseCliArgs(['tokens', 'create', '--name', 'ci', '--tenant', 'acme'])).toMatchObject({
      kind: 'create-token',
      tenantId: 'acme',
      name: 'ci',
    });
  });

  it.each([
    [['--expires-in', '90m'], '2026-12-06T13:30:00.000Z'],
    [['--expires-in', '12h'], '2026-12-07T00:00:00.000Z'],
    [['--expires-in', '30d'], '2027-01-05T12:00:00.000Z'],
    [['--expires-at', '2027-01-31T00:00:00Z'], '2027-01-31T00:00:00.000Z'],
    [['--expires-at', '2027-01-31T01:00+01:00'], '2027-01-31T00:00:00.000Z'],
  ])('parses the expiry %p', (flags, expiresAt) => {
    expect(parseCliArgs(['tokens', 'create', '--tenant', 'acme', ...flags], now)).toMatchObject({
      expiresAt: new Date(expiresAt),
    });
  });

  it('parses the scope', () => {
    expect(parseCliArgs(['tokens', 'create', '--tenant', 'acme', '--scope', 'read-only'])).toMatchObject({
      scope: 'read-only',
    });
  });

  it('parses tokens list, for a tenant or all, as a table or JSON', () => {
    expect(parseCliArgs(['tokens', 'list'])).toEqual({
      kind: 'list-tokens',
      tenantId: undefined,
      json: false,
      limit: 1000,
    });
    expect(parseCliArgs(['tokens', 'list', '--json', '--tenant', 'acme', '--limit', '5'])).toEqual({
      kind: 'list-tokens',
      tenantId: 'acme',
      json: true,
      limit: 5,
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
    [['tokens', 'create', '--tenant', 'a', '--scope', 'admin'], '--scope must be one of full, read-only'],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-in', '30'],
      '--expires-in must be a positive number of minutes, hours or days, like 90m, 12h or 30d',
    ],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-in', '0d'],
      '--expires-in must be a positive number of minutes, hours or days, like 90m, 12h or 30d',
    ],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-at', '2027-01-31'],
      '--expires-at must be an ISO 8601 instant with its offset, like 2027-01-31T00:00:00Z',
    ],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-at', '2027-02-30T00:00:00Z'],
      '--expires-at must be an ISO 8601 instant with its offset, like 2027-01-31T00:00:00Z',
    ],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-at', '2020-01-01T00:00:00Z'],
      '--expires-at 2020-01-01T00:00:00Z is not in the future',
    ],
    [
      ['tokens', 'create', '--tenant', 'a', '--expires-in', '1d', '--expires-at', '2030-01-01T00:00:00Z'],
      'give either --expires-in or --expires-at, not both',
    ],
    [['tokens', 'list', '--json', 'x'], 'unknown option "x"'],
    [['tokens', 'list', '--limit', '0'], '--limit must be a whole number from 1 to 100000'],
    [['tokens', 'list', '--secret'], 'unknown option "--secret"'],
    [['webhooks'], 'unknown command "webhooks"'],
    [['secrets', 'rotate'], 'unknown secrets action "rotate"'],
    [['secrets', 'reencrypt', '--batch-size', '0'], '--batch-size must be a whole number from 1 to 10000'],
    [['secrets', 'reencrypt', '--batch-size'], '--batch-size needs a value'],
    [['secrets', 'reencrypt', '--tenant', 'a'], 'unknown option "--tenant"'],
  ])('refuses %p', (argv, reason) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'invalid', reason });
  });
});
