/**
 * Coalesces items pushed while a batch is being processed into the next batch: one round trip (a Kafka
 * request, a bulk database write) covers everything that arrived during the previous one, so throughput
 * grows with load while the number of concurrent requests stays at one. This is what linger.ms does in
 * the Java Kafka client, without a fixed delay.
 *
 * `processBatch` returns one result per item, in order (or nothing, for void results). If it throws,
 * every item of that batch is rejected with the error; later batches still run.
 */
export class CoalescingQueue<Item, Result = void> {
  private queue: { item: Item; resolve: (result: Result) => void; reject: (error: Error) => void }[] = [];
  private processing = false;

  constructor(
    private readonly maxBatch: number,
    private readonly processBatch: (items: Item[]) => Promise<Result[] | void>,
  ) {}

  push(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      void this.drain();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.processBatch(batch.map(({ item }) => item));
          batch.forEach(({ resolve }, index) => resolve((results ? results[index] : undefined) as Result));
        } catch (error) {
          batch.forEach(({ reject }) => reject(error as Error));
        }
      }
    } finally {
      this.processing = false;
    }
  }
}
