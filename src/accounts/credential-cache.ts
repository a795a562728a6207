import type { Principal } from './principal'

/**
 * An isolate's short memory of who a token stands for, so most authenticated requests ask no one.
 * An entry is trusted for at most `ttlMs` after its account vouched for it (and never past the
 * credential's own end): that is the bound within which logout, revocation, freezing and erasure
 * reach every isolate. Changes made through this isolate forget their entries at once. Pure:
 * the clock is passed in.
 */
export const MAX_CREDENTIAL_CACHE_MS = 1000

type Entry = { principal: Principal; until: number }

export class CredentialCache {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
  ) {
    if (ttlMs < 0 || ttlMs > MAX_CREDENTIAL_CACHE_MS) throw new RangeError(`a credential may be trusted for at most ${MAX_CREDENTIAL_CACHE_MS} ms`)
  }

  get(tokenHash: string, nowMs: number): Principal | undefined {
    const entry = this.entries.get(tokenHash)
    if (!entry) return undefined
    if (nowMs >= entry.until) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return entry.principal
  }

  /** Remembers what the account just said; `endsAt` is the credential's own expiry, if any. */
  put(tokenHash: string, principal: Principal, nowMs: number, endsAt: string | null): void {
    const until = Math.min(nowMs + this.ttlMs, endsAt === null ? Infinity : Date.parse(endsAt))
    if (until <= nowMs) return
    this.entries.delete(tokenHash)
    this.entries.set(tokenHash, { principal, until })
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string)
  }

  forgetToken(tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  /** Forgets a credential by id (an API key revoked by id), or every credential of a user. */
  forget(match: { credentialId: string } | { userId: string }): void {
    for (const [hash, { principal }] of this.entries) {
      if ('credentialId' in match ? principal.credential.id === match.credentialId : principal.userId === match.userId) this.entries.delete(hash)
    }
  }

  get size(): number {
    return this.entries.size
  }
}
