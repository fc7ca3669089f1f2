import { Logger } from '@nestjs/common';
import { ApiTokenRepository } from '@app/persistence';

/** A token's lastUsedAt is written at most this often: "last used" is to within a minute. */
export const LAST_USED_INTERVAL_MS = 60_000;
/** Bounds memory whatever the number of tokens in use; forgetting one costs at most one extra write. */
const MAX_TRACKED_TOKENS = 10_000;

/**
 * Records when tokens were last accepted without a database write per request: a token's write goes out
 * once per LAST_USED_INTERVAL_MS per process, unawaited, and is conditional, so processes accepting the same
 * token write it about once per interval between them.
 */
export class TokenUseRecorder {
  private readonly logger = new Logger(TokenUseRecorder.name);
  /** When this process last wrote, or read, each token's lastUsedAt (ms). */
  private readonly recordedAt = new Map<string, number>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** `storedLastUsedAt`, when the token was just read, spares a write another process already made. */
  used(tokenId: string, storedLastUsedAt?: Date | null): void {
    const now = this.now();
    const recorded = Math.max(this.recordedAt.get(tokenId) ?? -Infinity, storedLastUsedAt?.getTime() ?? -Infinity);
    if (now - recorded < LAST_USED_INTERVAL_MS) {
      if (storedLastUsedAt) this.remember(tokenId, recorded);
      return;
    }
    this.remember(tokenId, now);
    this.tokens.recordUse(tokenId, new Date(now), new Date(now - LAST_USED_INTERVAL_MS)).catch((error: Error) => {
      this.logger.warn(`Recording the use of token ${tokenId} failed: ${error.message}`);
    });
  }

  private remember(tokenId: string, at: number): void {
    this.recordedAt.delete(tokenId);
    if (this.recordedAt.size >= MAX_TRACKED_TOKENS) this.recordedAt.delete(this.recordedAt.keys().next().value!);
    this.recordedAt.set(tokenId, at);
  }
}
