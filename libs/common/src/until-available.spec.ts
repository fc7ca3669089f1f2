import { Logger } from '@nestjs/common';
import { untilAvailable } from './until-available';

describe('untilAvailable', () => {
  const logger = { warn: jest.fn() } as unknown as Logger;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries what fails while its dependency is away, then answers', async () => {
    const work = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('connection refused'))
      .mockResolvedValueOnce('read');
    const answer = untilAvailable(logger, 'Reading', work, () => true);
    await jest.advanceTimersByTimeAsync(200);
    await expect(answer).resolves.toBe('read');
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('throws at once an error that does not mean a dependency is away', async () => {
    const poison = new TypeError("Cannot read properties of null (reading 'length')");
    const work = jest.fn<Promise<string>, []>().mockRejectedValue(poison);
    await expect(untilAvailable(logger, 'Planning', work, (error) => !(error instanceof TypeError))).rejects.toBe(
      poison,
    );
    expect(work).toHaveBeenCalledTimes(1);
  });
});
