import { Logger } from '@nestjs/common';
import { RateLimitIncrement, RateLimitWindowRepository, RateLimitWindowTotal } from '@app/persistence';
import { SharedWindowCounter, SYNC_AFTER_HITS } from './shared-window-counter';

const MINUTE = 60_000;

/** The rate_limit_windows collection, in memory: what several processes' counters share. */
class FakeWindows {
  readonly hits = new Map<string, number>();
  writes = 0;
  reads = 0;
  failing = false;

  async add(increments: RateLimitIncrement[]): Promise<void> {
    if (this.failing) throw new Error('database down');
    this.writes += 1;
    for (const { scope, key, windowStart, hits } of increments) {
      const id = `${scope}:${windowStart}:${key}`;
      this.hits.set(id, (this.hits.get(id) ?? 0) + hits);
    }
  }

  async totals(ids: string[]): Promise<RateLimitWindowTotal[]> {
    this.reads += 1;
    return ids.filter((id) => this.hits.has(id)).map((id) => ({ id, hits: this.hits.get(id)! }));
  }

  total(): number {
    return [...this.hits.values()].reduce((sum, hits) => sum + hits, 0);
  }
}

describe('SharedWindowCounter', () => {
  let now: number;
  let windows: FakeWindows;
  const counter = () =>
    new SharedWindowCounter(windows as unknown as RateLimitWindowRepository, 60 * MINUTE, MINUTE, () => now);

  beforeEach(() => {
    now = 100 * MINUTE; // a window's start
    windows = new FakeWindows();
  });
  afterEach(() => jest.restoreAllMocks());

  it('lets hits through up to the limit, refuses the next uncounted, and says when to retry', () => {
    const process = counter();
    expect([1, 2, 3].map(() => process.hit('other', 'acme', 3))).toEqual([
      { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 1, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 0, resetSeconds: 60 },
    ]);
    now += 15_000;
    // 3 hits in this window: under 3 just after the next window starts (the 3 then weigh a little less).
    expect(process.hit('other', 'acme', 3)).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 46 });
  });

  it('counts scopes and keys apart', () => {
    const process = counter();
    expect(process.hit('ingest', 'acme', 1).allowed).toBe(true);
    expect(process.hit('ingest', 'acme', 1).allowed).toBe(false);
    expect(process.hit('other', 'acme', 1).allowed).toBe(true);
    expect(process.hit('ingest', 'globex', 1).allowed).toBe(true);
  });

  it('sends its hits in one write and one read per sync, whatever the number of hits and keys', async () => {
    const process = counter();
    for (let n = 0; n < 50; n += 1) process.hit('ingest', `tenant-${n % 5}`, 1_000);
    expect(windows.writes).toBe(0);
    await process.sync();
    expect([windows.writes, windows.reads, windows.total()]).toEqual([1, 1, 50]);
    await process.sync(); // nothing new: no round trip
    expect([windows.writes, windows.reads]).toEqual([1, 1]);
  });

  it('syncs without waiting for the interval once SYNC_AFTER_HITS hits are pending', async () => {
    const process = counter();
    for (let n = 0; n < SYNC_AFTER_HITS; n += 1) process.hit('ingest', 'acme', 1e6);
    await process.sync(); // the sync the last hit started
    expect(windows.total()).toBe(SYNC_AFTER_HITS);
  });

  it('holds a limit across processes to within what the others let through between syncs', async () => {
    const [a, b] = [counter(), counter()];
    const limit = 20;
    let accepted = 0;
    // Alternating, each process syncing after every hit it lets through: 15 hits offered to each.
    for (let n = 0; n < 30; n += 1) {
      const process = n % 2 === 0 ? a : b;
      if (process.hit('other', 'acme', limit).allowed) accepted += 1;
      await process.sync();
    }
    // Each process misses at most the other's one hit since its own last sync.
    expect(accepted).toBeGreaterThanOrEqual(limit);
    expect(accepted).toBeLessThanOrEqual(limit + 1);
    expect(windows.total()).toBe(accepted);
  });

  it('a process that joins late learns the others’ hits at its first sync', async () => {
    const [a, b] = [counter(), counter()];
    for (let n = 0; n < 10; n += 1) a.hit('other', 'acme', 10);
    await a.sync();
    expect(b.hit('other', 'acme', 10)).toMatchObject({ allowed: true, remaining: 9 }); // it knows nothing yet
    await b.sync();
    expect(b.hit('other', 'acme', 10).allowed).toBe(false);
  });

  it('weighs the previous window it read from the others into the sliding window', async () => {
    const [a, b] = [counter(), counter()];
    for (let n = 0; n < 10; n += 1) a.hit('other', 'acme', 10);
    await a.sync();
    now += MINUTE + MINUTE / 2; // half-way through the next window: 5 of the 10 still count
    b.hit('other', 'acme', 10); // b knew nothing of the previous window
    await b.sync(); // ... and reads it now
    const results = [1, 2, 3, 4, 5].map(() => b.hit('other', 'acme', 10).allowed);
    expect(results).toEqual([true, true, true, true, false]);
  });

  it('keeps counting locally while the database is down, and sends the hits once it is back', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const process = counter();
    windows.failing = true;
    for (let n = 0; n < 3; n += 1) process.hit('other', 'acme', 3);
    await process.sync();
    await process.sync();
    expect(warn).toHaveBeenCalledTimes(1); // not once per attempt
    expect(process.hit('other', 'acme', 3).allowed).toBe(false);
    windows.failing = false;
    await process.sync();
    expect(windows.total()).toBe(3);
  });

  it('drops hits of windows too old to matter when a sync fails for long', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const process = counter();
    windows.failing = true;
    process.hit('other', 'acme', 3);
    await process.sync();
    now += 3 * MINUTE;
    process.hit('other', 'acme', 3);
    await process.sync();
    windows.failing = false;
    await process.sync();
    expect(windows.total()).toBe(1);
  });

  it('shares what is pending when it stops', async () => {
    const process = counter();
    process.hit('other', 'acme', 3);
    await process.stop();
    expect(windows.total()).toBe(1);
  });

  it('forgets limits idle for two windows', () => {
    const process = counter();
    process.hit('other', 'a', 5);
    now += 2 * MINUTE;
    process.hit('other', 'b', 5);
    expect(process.size).toBe(1);
  });
});
