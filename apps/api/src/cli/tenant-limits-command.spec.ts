import { parseTenantsArgs } from './tenant-limits-command';

describe('parseTenantsArgs', () => {
  it.each([
    [['acme', '--ingest', '500'], { ingestPerMinute: 500 }],
    [['acme', '--other', '20', '--ingest', '100'], { otherPerMinute: 20, ingestPerMinute: 100 }],
    [['acme', '--ingest', 'default'], { ingestPerMinute: null }],
  ])('set-limits %j changes %j', (args, change) => {
    expect(parseTenantsArgs('set-limits', args)).toEqual({ kind: 'set-tenant-limits', tenantId: 'acme', change });
  });

  it.each([
    ['list', ['acme'], 'unknown tenants action "list"'],
    ['set-limits', [], 'tenants set-limits needs a tenant id'],
    ['set-limits', ['--ingest', '5'], 'tenants set-limits needs a tenant id'],
    ['set-limits', ['acme'], 'tenants set-limits needs --ingest and/or --other'],
    ['set-limits', ['acme', '--burst', '5'], 'unknown option "--burst"'],
    ['set-limits', ['acme', '--ingest'], '--ingest needs a number of requests per minute or "default"'],
    ['set-limits', ['acme', '--ingest', '0'], '--ingest must be a whole number from 1 to 100000000, or "default"'],
    ['set-limits', ['acme', '--other', '1.5'], '--other must be a whole number from 1 to 100000000, or "default"'],
    ['set-limits', ['acme', '--other', '1e3'], '--other must be a whole number from 1 to 100000000, or "default"'],
  ])('refuses %s %j: %s', (action, args, reason) => {
    expect(parseTenantsArgs(action, args)).toEqual({ reason });
  });
});
