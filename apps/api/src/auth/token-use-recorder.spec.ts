import { ApiTokenRepository } from '@app/persistence';
import { LAST_USED_INTERVAL_MS, TokenUseRecorder } from './token-use-recorder';

describe('TokenUseRecorder', () => {
  let now: number;
  let writes: { tokenId: string; usedAt: number; unlessSince: number }[];
  let recorder: TokenUseRecorder;
  beforeEach(() => {
    now = 1_000_000;
    writes = [];
    const tokens = {
      recordUse: async (tokenId: string, usedAt: Date, unlessSince: Date) => {
        writes.push({ tokenId, usedAt: usedAt.getTime(), unlessSince: unlessSince.getTime() });
      },
    } as unknown as ApiTokenRepository;
    recorder = new TokenUseRecorder(tokens, () => now);
  });

  it('writes a token’s use at most once per interval, only if no process wrote it within the interval', () => {
    recorder.used('t1');
    now += LAST_USED_INTERVAL_MS - 1;
    recorder.used('t1');
    expect(writes).toEqual([{ tokenId: 't1', usedAt: 1_000_000, unlessSince: 1_000_000 - LAST_USED_INTERVAL_MS }]);
    now += 1;
    recorder.used('t1');
    expect(writes.map((write) => write.usedAt)).toEqual([1_000_000, 1_000_000 + LAST_USED_INTERVAL_MS]);
  });

  it('counts tokens apart', () => {
    recorder.used('t1');
    recorder.used('t2');
    expect(writes.map((write) => write.tokenId)).toEqual(['t1', 't2']);
  });

  it('writes nothing when the stored lastUsedAt is recent (another process wrote it)', () => {
    recorder.used('t1', new Date(now - 10_000));
    recorder.used('t1');
    expect(writes).toEqual([]);
    now += LAST_USED_INTERVAL_MS - 10_000;
    recorder.used('t1');
    expect(writes.map((write) => write.usedAt)).toEqual([now]);
  });

  it('writes when the stored lastUsedAt is older than the interval', () => {
    recorder.used('t1', new Date(now - LAST_USED_INTERVAL_MS));
    expect(writes).toHaveLength(1);
  });

  it('survives a failed write, and tries again only after the interval', async () => {
    const failing = new TokenUseRecorder(
      {
        recordUse: async () => {
          writes.push({ tokenId: 'failed', usedAt: now, unlessSince: 0 });
          throw new Error('database down');
        },
      } as unknown as ApiTokenRepository,
      () => now,
    );
    failing.used('t1');
    failing.used('t1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
  });
});
