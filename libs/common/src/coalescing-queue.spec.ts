import { CoalescingQueue } from './coalescing-queue';

describe('CoalescingQueue', () => {
  it('sends what arrives during a batch as the next batch, capped in size, results in order', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstBatchHeld = new Promise<void>((resolve) => (release = resolve));
    const queue = new CoalescingQueue<number, string>(3, async (items) => {
      batches.push(items);
      if (batches.length === 1) await firstBatchHeld;
      return items.map((item) => `r${item}`);
    });

    const first = queue.push(1);
    const rest = [2, 3, 4, 5, 6].map((item) => queue.push(item));
    expect(queue.pending).toBe(5);
    release();

    await expect(first).resolves.toBe('r1');
    await expect(Promise.all(rest)).resolves.toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('rejects only the items of a failed batch and carries on', async () => {
    let calls = 0;
    const queue = new CoalescingQueue<string>(10, async () => {
      calls += 1;
      if (calls === 1) throw new Error('broker away');
    });
    await expect(queue.push('a')).rejects.toThrow('broker away');
    await expect(queue.push('b')).resolves.toBeUndefined();
  });
});
