import type { Money } from '../core/money'

/**
 * What an isolate has seen of hot auctions: for each, the floor no valid bid can be under and the
 * minimum a new bidder must bid. Prices only rise, so a floor once seen stays true: a bid under it
 * can be refused at the edge without asking the listing's object. Bounded; oldest entries go first.
 */
type Seen = { floor: number; minimum: number; currency: Money['currency'] }

export class BidFloorCache {
  private readonly seen = new Map<string, Seen>()
  constructor(private readonly capacity = 10_000) {}

  /** Remembers a floor; an older, lower one never replaces a newer, higher one. */
  raise(listingId: string, floor: Money, minimum: Money): void {
    const known = this.seen.get(listingId)
    if (known && (known.currency !== floor.currency || known.floor >= floor.amount)) return
    this.seen.delete(listingId)
    this.seen.set(listingId, { floor: floor.amount, minimum: Math.max(minimum.amount, floor.amount), currency: floor.currency })
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string)
  }

  /** The minimum to quote when `bid` is certainly too low; undefined when only the object can tell. */
  refuses(listingId: string, bid: Money): Money | undefined {
    const known = this.seen.get(listingId)
    if (!known || known.currency !== bid.currency || bid.amount >= known.floor) return undefined
    return { amount: known.minimum, currency: known.currency }
  }

  forget(listingId: string): void {
    this.seen.delete(listingId)
  }
}
