import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { findManyById } from '../lookup-by-id';
import { RATE_LIMIT_WINDOW_MODEL, RateLimitWindowDocument, rateLimitWindowId } from './rate-limit-window.schema';

/** Hits one process counted in one window since it last wrote. */
export interface RateLimitIncrement {
  scope: string;
  key: string;
  windowStart: number;
  hits: number;
}

/** Every process's hits in one window, as stored. */
export interface RateLimitWindowTotal {
  id: string;
  hits: number;
}

/** The shared rate-limit counters: one write and one read per batch of increments, whatever its size. */
@Injectable()
export class RateLimitWindowRepository {
  constructor(@InjectModel(RATE_LIMIT_WINDOW_MODEL) private readonly windows: Model<RateLimitWindowDocument>) {}

  /** Adds each increment to its window's document, creating it if missing. Updates by _id alone (FerretDB's index). */
  async add(increments: RateLimitIncrement[], now: Date): Promise<void> {
    if (increments.length === 0) return;
    await this.windows.collection.bulkWrite(
      increments.map(({ scope, key, windowStart, hits }) => ({
        updateOne: {
          filter: { _id: rateLimitWindowId(scope, windowStart, key) } as never,
          update: {
            $inc: { hits },
            $setOnInsert: { scope, key, windowStart: new Date(windowStart), createdAt: now },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /**
   * The totals of these windows (ids from rateLimitWindowId); a window nobody counted in is left out.
   * Read after `add` rather than through findOneAndUpdate: one round trip for the batch instead of one per window.
   */
  async totals(ids: string[]): Promise<RateLimitWindowTotal[]> {
    if (ids.length === 0) return [];
    const found = await findManyById<RateLimitWindowDocument, { _id: string; hits: number }>(this.windows, ids, {
      hits: 1,
    });
    return found.map(({ _id, hits }) => ({ id: _id, hits }));
  }
}
