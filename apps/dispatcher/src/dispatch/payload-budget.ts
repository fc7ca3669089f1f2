/**
 * Bounds the event payload bytes one dispatcher holds in memory. A delivery keeps its event while it waits
 * for its endpoint's slot, so a count of deliveries alone (DISPATCHER_MAX_IN_FLIGHT) does not bound memory:
 * a thousand 256 KiB events are 256 MB, twice the heap the image allows. Holders are let in first come,
 * first served; one larger than the whole budget is let in when nothing else is held, so it never waits
 * forever.
 */
export class PayloadBudget {
  private held = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(private readonly maxBytes: number) {}

  get bytesHeld(): number {
    return this.held;
  }

  /** Holders waiting for room. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  get bytesFree(): number {
    return Math.max(0, this.maxBytes - this.held);
  }

  /** Resolves once `bytes` fit next to what is held, and counts them as held. */
  async acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.held += bytes;
      return;
    }
    await new Promise<void>((admit) => this.waiting.push({ bytes, admit }));
  }

  release(bytes: number): void {
    this.held -= bytes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift()!;
      this.held += next.bytes;
      next.admit();
    }
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.maxBytes;
  }
}
