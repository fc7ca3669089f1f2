import { RecentHealthWrites } from './recent-health-writes';
import type { WebhookEffect } from './webhook-effect';

const effect = (webhookId: string, success: boolean, disableReason: string | null = null): WebhookEffect => ({
  tenantId: 't1',
  webhookId,
  success,
  at: new Date(0),
  disableReason,
});

describe('RecentHealthWrites', () => {
  let clock = 0;
  const memo = () => new RecentHealthWrites(60_000, () => clock);
  beforeEach(() => (clock = 1_000_000));

  it('writes the first outcome of a webhook, then skips the same outcome within the window', () => {
    const writes = memo();
    const first = [effect('wh-a', true), effect('wh-b', false)];
    expect(writes.worthWriting(first)).toEqual(first);
    writes.wrote(first);
    clock += 59_999;
    expect(writes.worthWriting([effect('wh-a', true), effect('wh-b', false)])).toEqual([]);
  });

  it('writes the same outcome again once the window has passed', () => {
    const writes = memo();
    writes.wrote([effect('wh-a', true)]);
    clock += 60_001;
    expect(writes.worthWriting([effect('wh-a', true)])).toEqual([effect('wh-a', true)]);
  });

  it('always writes a flip and a disable', () => {
    const writes = memo();
    writes.wrote([effect('wh-a', true), effect('wh-b', false)]);
    const flips = [effect('wh-a', false), effect('wh-b', true), effect('wh-c', false, 'gone (410)')];
    expect(writes.worthWriting(flips)).toEqual(flips);
  });

  it('forgets a disabled webhook, so its next outcome is written', () => {
    const writes = memo();
    writes.wrote([effect('wh-a', false)]);
    writes.wrote([effect('wh-a', false, 'gone (410)')]);
    expect(writes.worthWriting([effect('wh-a', false)])).toEqual([effect('wh-a', false)]);
  });

  it('only skips what it was told was written', () => {
    const writes = memo();
    writes.worthWriting([effect('wh-a', true)]);
    expect(writes.worthWriting([effect('wh-a', true)])).toEqual([effect('wh-a', true)]);
  });
});
