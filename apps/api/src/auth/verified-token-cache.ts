import { secretMatches } from './api-token-format';
import { Principal } from './principal';

/**
 * How long this process trusts a token it verified without reading it again: one read per token per
 * window instead of one per request. The price: a token revoked through another process (the CLI) is
 * still accepted here for up to this long; revoked through this process, it is refused at once.
 */
export const VERIFIED_TOKEN_TTL_MS = 2_000;
/** Bounds memory whatever the number of tokens in use; the oldest entry makes room. */
export const MAX_VERIFIED_TOKENS = 10_000;

interface Entry {
  secretHash: string;
  principal: Principal;
  expiresAt: number;
}

/** Tokens this process verified recently, by token id. Only verified tokens enter: a refusal is never cached. */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = VERIFIED_TOKEN_TTL_MS,
    private readonly maxEntries = MAX_VERIFIED_TOKENS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal of a recently verified token whose secret this is (compared in constant time). */
  principalOf(tokenId: string, secret: string): Principal | undefined {
    const entry = this.entries.get(tokenId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(tokenId);
      return undefined;
    }
    return secretMatches(secret, entry.secretHash) ? entry.principal : undefined;
  }

  remember(tokenId: string, secretHash: string, principal: Principal): void {
    this.entries.delete(tokenId);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // Never trusted past the token's own expiry, so an expiring token is refused on time.
    const expiresAt = Math.min(this.now() + this.ttlMs, principal.expiresAt?.getTime() ?? Infinity);
    this.entries.set(tokenId, { secretHash, principal, expiresAt });
  }

  forget(tokenId: string): void {
    this.entries.delete(tokenId);
  }
}
