import { CommittedOffset, PartitionEnd, partitionLags } from './consumer-group-lag';

describe('partitionLags', () => {
  const end = (partition: number, low: number, high: number): PartitionEnd => ({
    partition,
    low: String(low),
    high: String(high),
  });
  const committed = (partition: number, offset: number): CommittedOffset => ({ partition, offset: String(offset) });

  it.each([
    ['committed inside the log', [end(0, 0, 10)], [committed(0, 7)], 3],
    ['committed at the end', [end(0, 0, 10)], [committed(0, 10)], 0],
    ['never committed (-1): read from the log start', [end(0, 4, 10)], [committed(0, -1)], 6],
    ['not listed by the broker: read from the log start', [end(0, 4, 10)], [], 6],
    ['committed below the log start (retention deleted it)', [end(0, 8, 10)], [committed(0, 3)], 2],
    ['an empty partition', [end(0, 0, 0)], [committed(0, -1)], 0],
    ['a commit past the end (a truncated log) is not negative', [end(0, 0, 5)], [committed(0, 9)], 0],
  ])('%s', (_, ends, commits, lag) => {
    expect(partitionLags(ends, commits)).toEqual([{ partition: 0, lag }]);
  });

  it('gives every partition of the topic, in partition order', () => {
    expect(partitionLags([end(2, 0, 5), end(0, 0, 1), end(1, 0, 3)], [committed(1, 3), committed(2, 1)])).toEqual([
      { partition: 0, lag: 1 },
      { partition: 1, lag: 0 },
      { partition: 2, lag: 4 },
    ]);
  });
});
