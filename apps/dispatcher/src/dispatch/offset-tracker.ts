export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

interface PartitionState {
  /** Messages being worked on. */
  inFlight: Set<number>;
  /** Messages dropped unfinished at shutdown: never committed past, so the next owner replays them. */
  abandoned: Set<number>;
  highest: number;
  committed: number;
}

/**
 * Which offsets of each partition are finished. Deliveries finish out of order (a slow endpoint must not
 * hold back a fast one), so the committable offset is the lowest one still unfinished: everything below
 * it is done. A crash replays from there, and the stored attempts skip what was already sent.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();

  track(topic: string, partition: number, offset: string): void {
    const state = this.stateOf(topic, partition);
    const value = Number(offset);
    state.inFlight.add(value);
    state.highest = Math.max(state.highest, value);
  }

  done(topic: string, partition: number, offset: string): void {
    this.partitions.get(key(topic, partition))?.inFlight.delete(Number(offset));
  }

  /** No longer worked on here, and not finished either: the commit stops below it. */
  abandon(topic: string, partition: number, offset: string): void {
    const state = this.partitions.get(key(topic, partition));
    if (state?.inFlight.delete(Number(offset))) state.abandoned.add(Number(offset));
  }

  get inFlightCount(): number {
    let count = 0;
    for (const state of this.partitions.values()) count += state.inFlight.size;
    return count;
  }

  /** Offsets to commit (Kafka's "next offset to read") for partitions that moved since the last commit. */
  committable(): PartitionOffset[] {
    const result: PartitionOffset[] = [];
    for (const [partitionKey, state] of this.partitions) {
      const next = Math.min(state.highest + 1, ...state.inFlight, ...state.abandoned);
      if (next > state.committed) {
        const [topic, partition] = splitKey(partitionKey);
        result.push({ topic, partition, offset: String(next) });
      }
    }
    return result;
  }

  /** Call once Kafka has accepted the commit; a failed commit is simply offered again next time. */
  markCommitted(offsets: PartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const state = this.partitions.get(key(topic, partition));
      if (state) state.committed = Math.max(state.committed, Number(offset));
    }
  }

  /** Forgets partitions this consumer no longer owns after a rebalance. */
  retainOnly(assigned: { topic: string; partition: number }[]): void {
    const keep = new Set(assigned.map(({ topic, partition }) => key(topic, partition)));
    for (const partitionKey of this.partitions.keys())
      if (!keep.has(partitionKey)) this.partitions.delete(partitionKey);
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const partitionKey = key(topic, partition);
    let state = this.partitions.get(partitionKey);
    if (!state) {
      state = { inFlight: new Set(), abandoned: new Set(), highest: -1, committed: -1 };
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
