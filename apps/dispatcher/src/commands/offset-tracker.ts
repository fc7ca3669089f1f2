/**
 * Which offsets of each partition are finished. Deliveries finish out of order (a slow endpoint must not
 * hold back a fast one), so the committable offset is the lowest one still in flight: everything below
 * it is done. A crash replays from there, and the delivery claims skip what was already sent.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, { inFlight: Set<number>; highest: number; committed: number }>();

  track(topic: string, partition: number, offset: string): void {
    const state = this.stateOf(topic, partition);
    const value = Number(offset);
    state.inFlight.add(value);
    state.highest = Math.max(state.highest, value);
  }

  done(topic: string, partition: number, offset: string): void {
    this.partitions.get(key(topic, partition))?.inFlight.delete(Number(offset));
  }

  get inFlightCount(): number {
    let count = 0;
    for (const state of this.partitions.values()) count += state.inFlight.size;
    return count;
  }

  /** Offsets to commit (Kafka's "next offset to read") for partitions that moved since the last call. */
  takeCommittable(): { topic: string; partition: number; offset: string }[] {
    const result: { topic: string; partition: number; offset: string }[] = [];
    for (const [partitionKey, state] of this.partitions) {
      const next = state.inFlight.size > 0 ? Math.min(...state.inFlight) : state.highest + 1;
      if (next > state.committed) {
        state.committed = next;
        const [topic, partition] = splitKey(partitionKey);
        result.push({ topic, partition, offset: String(next) });
      }
    }
    return result;
  }

  /** Forgets partitions this consumer no longer owns after a rebalance. */
  retainOnly(assigned: { topic: string; partition: number }[]): void {
    const keep = new Set(assigned.map(({ topic, partition }) => key(topic, partition)));
    for (const partitionKey of this.partitions.keys())
      if (!keep.has(partitionKey)) this.partitions.delete(partitionKey);
  }

  private stateOf(topic: string, partition: number) {
    const partitionKey = key(topic, partition);
    let state = this.partitions.get(partitionKey);
    if (!state) {
      state = { inFlight: new Set(), highest: -1, committed: -1 };
      this.partitions.set(partitionKey, state);
    }
    return state;
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const splitKey = (partitionKey: string): [string, number] => {
  const [topic, partition] = partitionKey.split('\u0000');
  return [topic, Number(partition)];
};
