import type { Origins } from '../risk/action-signals'
import { judgeBid, type BidRisk } from '../risk/bid-risk'
import { TracedObject } from '../platform/traced-object'
import { settingsOf } from '../config'
import { ok, reject, type Outcome } from '../core/decision'
import type { Money } from '../core/money'
import { pseudonym } from '../core/pseudonym'
import { newId, rootLogger } from '../platform/runtime'
import { placeBid, type BidRejection } from './auction'
import { nextDeadline, runDeadlines } from './deadlines'
import type { ListingAccepted, ListingDecision } from './listing-decision'
import { createListing, updateListing, withdrawListing, type CreateListing, type CreateRejection, type UpdateListing, type UpdateRejection, type WithdrawRejection } from './listing-lifecycle'
import { addImage, imageRefusal, removeImage, type ImageRejection } from './listing-images'
import type { ListingImage, ListingState, SellerStanding } from './listing-state'
import { ListingStore } from './listing-store'
import { bidFloorOf, listingView, offerView, visibleOffers, type BidHistoryEntry, type ListingView, type OfferView } from './listing-view'
import { liveMessage, MAX_REPLAY, resyncMessage, type StoredEvent } from './live-message'
import { makeOffer, offerSnapshot, respondToOffer, settledOffers, type MakeOffer, type OfferRejection, type OfferResponse } from './offers'
import { drainOutbox } from './outbox-drain'
import { currentTraceparent } from '../platform/tracing'
import { publishEvents } from '../events/publish-events'
import type { ListingSnapshot } from './read-model-rebuild'
import { RELAY_BATCH_LIMIT, type LivePage, type RelayMessage } from './relay-forwarding'
import { claim, commit, dueOrderReservations, release, reserve, reservedLine, restock, type Reserve, type Reserved, type StockRejection } from './stock'
import { RelayFanOut } from './watcher-relay-client'
import { applySellerStanding } from './seller-standing'

export type NotFound = { code: 'not_found' }
/**
 * The narrow port through which a lapsing order-bound reservation learns its order's fate
 * (ARCHITECTURE.md "Decisions"): commit if the order is paid, release otherwise. The order side
 * implements it; this side only knows its shape.
 */
export type ReservationFate = 'commit' | 'release'
/** `flagged`: the risk rules sent the bid to review (it stands); their reasons. */
export type BidReceipt = { bidId: string; maxAmount: Money; placedAt: string; leading: boolean; listing: ListingView; floor: Money; flagged: string[] }

/** Where the seller listed from (keyed pseudonyms), kept beside the listing: what shill bidding shares. */
const SELLER_ORIGIN = 'seller-origin'

/** A bid the risk rules refused. */
export type BidRiskRefusal = { code: 'risk_blocked'; reasons: string[] }

/** The object of listing `id`. Ids are prefixed ULIDs; the object is found by name. */
export const listingStub = (env: Env, id: string) => env.LISTINGS.get(env.LISTINGS.idFromName(id))

const notFound = reject<NotFound>({ code: 'not_found' })
/** When an order's fate cannot be read (D1 unreachable), its lapsed reservation is asked again after this. */
const FATE_RETRY_MS = 5000
const relayMessage = (e: StoredEvent): RelayMessage => ({ seq: e.seq, text: JSON.stringify(liveMessage(e)) })

/**
 * One listing's single writer. Each command loads the state (kept in memory between calls, always
 * equal to what is stored), asks the pure core, and commits the new state, its events (gap-free
 * seq) and their outbox rows in one storage transaction, with no await in between; only then does
 * it talk to the world: its watcher relays, which hold the watchers' sockets (it forwards the new
 * events and does no per-watcher work), and an alarm that ends the auction, expires offers and
 * reservations, and drains the outbox to the consumers' event queues until it is sent.
 */
export abstract class ListingObject extends TracedObject {
  private readonly store: ListingStore
  private state: ListingState | undefined
  /** The alarm as last armed; undefined until read from storage on first use. */
  private alarmAt: number | null | undefined
  /** Set when a lapsed reservation's fate could not be read: the alarm waits before asking again. */
  private retryNotBefore: number | null = null
  private readonly relays: RelayFanOut
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): Date => new Date()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = ListingStore.open(ctx.storage)
    this.state = this.store.load()
    this.relays = new RelayFanOut(this.env, ctx.storage.kv, {
      listingId: () => this.state?.id ?? '',
      lastSeq: () => this.store.lastSeq(),
      messagesAfter: (seq, limit) => this.store.eventsSince(seq, limit).map(relayMessage),
      resync: (missed) => this.resyncOf(missed),
      now: () => this.now().getTime(),
      random: Math.random,
      log: () => rootLogger('warn', { listingId: this.state?.id }),
      retryLater: () => {
        this.armAlarm().catch((err: unknown) => rootLogger('error', { listingId: this.state?.id }).error('relay_retry_not_armed', { err }))
      },
    })
  }

  async create(cmd: CreateListing, sellerOrigin?: Origins): Promise<Outcome<ListingView, CreateRejection | { code: 'listing_exists' }>> {
    const now = this.now()
    if (this.state) return this.state.id === cmd.id && this.state.sellerId === cmd.sellerId ? ok(listingView(this.state, now)) : reject({ code: 'listing_exists' })
    const created = await this.run(createListing(cmd, now, this.rules()), now, (s) => listingView(s, now))
    if (created.ok && sellerOrigin) this.ctx.storage.kv.put(SELLER_ORIGIN, sellerOrigin)
    return created
  }

  view(): ListingView | null {
    return this.state ? listingView(this.state, this.now()) : null
  }

  /**
   * The snapshot the last event carried, its seq, and every offer as it stands: exactly what the
   * read models hold once every event is projected. A read-model rebuild applies it
   * (docs/OPERATIONS.md "The read model").
   */
  snapshot(): ListingSnapshot | null {
    const [last] = this.store.eventsSince(this.store.lastSeq() - 1, 1)
    const s = this.state
    if (!last || !s) return null
    const offers = [...s.offers, ...this.store.archivedOffers(null, null, Number.MAX_SAFE_INTEGER)].map((o) => offerSnapshot(s, o))
    return { listing: last.data.listing, seq: last.seq, offers }
  }

  async update(cmd: UpdateListing): Promise<Outcome<ListingView, UpdateRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(updateListing(this.state, cmd, now), now, (s) => listingView(s, now))
  }

  async withdraw(actorId: string): Promise<Outcome<ListingView, WithdrawRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(withdrawListing(this.state, actorId, now), now, (s) => listingView(s, now))
  }

  /** Why `actorId` may not add a photo now (asked before its bytes are stored), or null when they may. */
  imageRefusal(actorId: string): ImageRejection | NotFound | null {
    return this.state ? imageRefusal(this.state, actorId, this.now()) : { code: 'not_found' }
  }

  /** A photo whose bytes are stored: the listing lists it (`listing.images_changed`). */
  async addImage(actorId: string, image: ListingImage): Promise<Outcome<ListingView, ImageRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(addImage(this.state, actorId, image, now), now, (s) => listingView(s, now))
  }

  /** The listing stops listing a photo; the caller deletes its bytes. */
  async removeImage(actorId: string, imageId: string): Promise<Outcome<ListingView, ImageRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(removeImage(this.state, actorId, imageId, now), now, (s) => listingView(s, now))
  }

  /**
   * A bid. `risk`: the bid rules in force and where the bid comes from, judged (risk/bid-risk.ts)
   * beside where the seller listed from, so catching shill bidding costs no round trip.
   */
  async placeBid(cmd: { bidderId: string; maxAmount: Money }, risk?: BidRisk): Promise<Outcome<BidReceipt, BidRejection | BidRiskRefusal | NotFound>> {
    if (!this.state) return notFound
    const judged = judgeBid(risk, { bidderId: cmd.bidderId, amount: cmd.maxAmount.amount }, this.ctx.storage.kv.get<Origins>(SELLER_ORIGIN) ?? null, this.now().getTime())
    if (judged.kind === 'refused') return reject({ code: 'risk_blocked', reasons: judged.reasons })
    const { flagged } = judged
    const bidderAlias = await this.bidderAlias(this.state.id, cmd.bidderId)
    const now = this.now() // read after the await: the state may have moved on meanwhile
    const bidId = newId('bid', now)
    return this.run(placeBid(this.state, { ...cmd, bidId, bidderAlias }, now, this.rules()), now, (s) => ({
      bidId,
      maxAmount: cmd.maxAmount,
      placedAt: now.toISOString(),
      leading: s.auction?.leader?.bidderId === cmd.bidderId,
      listing: listingView(s, now),
      floor: bidFloorOf(s) ?? cmd.maxAmount,
      flagged,
    }))
  }

  /**
   * The seller's account standing, from a freeze or an unfreeze (seller-standing.ts): suspends or
   * reinstates the listing, unless it already heard this standing `seq` or a newer one. Answers the
   * listing as it stands (its `version` is the seq of its last event), null when there is none.
   */
  async setSellerStanding(standing: SellerStanding): Promise<ListingView | null> {
    const now = this.now()
    if (!this.state) return null
    const outcome = await this.run(applySellerStanding(this.state, standing, now), now, (s) => listingView(s, now))
    return outcome.ok ? outcome.value : null
  }

  /** Bids newest first, `limit` of them placed before `beforeSeq` (the page cursor). */
  bidHistory(viewerId: string | undefined, limit: number, beforeSeq = Number.MAX_SAFE_INTEGER): (BidHistoryEntry & { seq: number })[] | null {
    if (!this.state) return null
    return this.store.bidsPlaced(beforeSeq, limit).map((e) => ({
      seq: e.seq,
      bidId: e.data.bidId,
      bidder: e.data.bidder,
      price: e.data.currentPrice,
      at: e.occurredAt,
      mine: viewerId !== undefined && e.private.bidderId === viewerId,
    }))
  }

  async makeOffer(cmd: MakeOffer): Promise<Outcome<OfferView, OfferRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(makeOffer(this.state, cmd, now, this.rules()), now, (s) => this.offerOf(s, cmd.offerId))
  }

  async respondToOffer(offerId: string, actorId: string, response: OfferResponse): Promise<Outcome<OfferView, OfferRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    const archived = this.store.archivedOffer(offerId)
    if (archived) return reject(actorId === this.state.sellerId || actorId === archived.buyerId ? { code: 'offer_not_pending' } : { code: 'offer_not_found' })
    const shown = response.kind === 'counter' ? response.counterId : offerId
    return this.run(respondToOffer(this.state, offerId, actorId, response, now, this.rules()), now, (s) => this.offerOf(s, shown))
  }

  /** An offer, live or archived, for its buyer or the seller only. */
  offer(offerId: string, viewerId: string): OfferView | null {
    const s = this.state
    const o = s?.offers.find((x) => x.id === offerId) ?? this.store.archivedOffer(offerId)
    return s && o && (viewerId === s.sellerId || viewerId === o.buyerId) ? offerView(s, o) : null
  }

  /** A page of the offers on this listing the viewer may see (listing-view.ts `visibleOffers`); null when there is no listing. */
  offers(viewerId: string, before: string | null, limit: number): OfferView[] | null {
    const s = this.state
    if (!s) return null
    return visibleOffers(s, this.store.archivedOffers(before, viewerId === s.sellerId ? null : viewerId, limit), viewerId, before, limit)
  }

  /**
   * PAYMENTS.md saga step reserve-lines: holds a checkout's line under its order id and answers the terms it
   * holds at (price, currency, seller, title), so the order needs no other call here. Repeating
   * it answers the same hold, or that the order already bought it.
   */
  async reserve(cmd: Reserve): Promise<Outcome<Reserved, StockRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    const prior = this.store.settledOutcome(cmd.reservationId)
    const fresh = !this.state.reservations.some((r) => r.id === cmd.reservationId)
    const outcome = await this.run(reserve(this.state, cmd, now, prior), now, (s) => reservedLine(s, cmd.reservationId))
    if (!outcome.ok) return outcome
    if (outcome.value) return ok({ state: 'held', line: outcome.value, fresh })
    if (prior === 'committed') return ok({ state: 'committed' })
    throw new Error(`reservation ${cmd.reservationId} accepted but not held`)
  }

  /** Binds a buyer's hold (won auction, accepted offer) to the order that pays for it. */
  async claim(holdId: string, orderId: string): Promise<Outcome<ListingView, StockRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    const prior = this.store.settledOutcome(orderId)
    if (prior) return prior === 'committed' ? ok(listingView(this.state, now)) : reject({ code: 'reservation_released' })
    return this.run(claim(this.state, holdId, orderId, now), now, (s) => listingView(s, now))
  }

  /** A cancelled order's units back on the listing, whether they were still held or already sold. */
  async restock(orderId: string, quantity: number): Promise<Outcome<ListingView, StockRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(restock(this.state, orderId, quantity, now, this.store.settledOutcome(orderId)), now, (s) => listingView(s, now))
  }

  async commit(reservationId: string): Promise<Outcome<ListingView, StockRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(commit(this.state, reservationId, now, this.store.settledOutcome(reservationId)), now, (s) => listingView(s, now))
  }

  async release(reservationId: string): Promise<Outcome<ListingView, StockRejection | NotFound>> {
    const now = this.now()
    if (!this.state) return notFound
    return this.run(release(this.state, reservationId, 'released', now, this.store.settledOutcome(reservationId)), now, (s) => listingView(s, now))
  }

  /** The event log from `seq` on (for tests and operators; watchers get it over the socket). */
  eventsSince(seq: number): StoredEvent[] {
    return this.store.eventsSince(seq)
  }

  /** Events committed but not yet accepted by the queue, with their attempts (for operators). */
  pendingOutbox(): { seq: number; attempts: number }[] {
    return this.store.outboxHead(10_000).map((d) => ({ seq: d.event.seq, attempts: d.attempts }))
  }

  /**
   * `GET /v1/listings/{id}/live`: which relay the new watcher joins, and where the log stands
   * (null: no such listing). The relay holds the socket; this object only counts it.
   */
  admitWatcher(): { shard: number; lastSeq: number } | null {
    return this.state ? this.relays.admit() : null
  }

  /** For a relay's newcomer: what it missed after `since`, a page at a time (see LivePage). */
  livePage(since: number): LivePage | null {
    if (!this.state) return null
    const lastSeq = this.store.lastSeq()
    const from = Math.min(Math.max(0, since), lastSeq)
    if (lastSeq - from > MAX_REPLAY) return { from, lastSeq, messages: [this.resyncOf(lastSeq - from)], resync: true }
    return { from, lastSeq, messages: this.store.eventsSince(from, RELAY_BATCH_LIMIT).map(relayMessage), resync: false }
  }

  /** The relays this listing forwards to (for operators and tests). */
  relayShards(): number[] {
    return this.relays.shards()
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null
    this.retryNotBefore = null
    this.relays.resume()
    const now = this.now()
    try {
      if (this.state) await this.commitDecision(runDeadlines(this.state, now, this.rules()), now)
      await this.settleLapsedReservations()
    } finally {
      // Whatever became of the deadlines, what is already committed still goes out.
      await drainOutbox(this.store, {
        listingId: this.state?.id ?? '',
        publish: (events) => publishEvents(this.env, events),
        now: () => this.now().getTime(),
        random: Math.random,
        log: () => rootLogger('warn', { listingId: this.state?.id }),
      })
      await this.armAlarm()
    }
  }

  /**
   * What became of the order `orderId` whose reservation on this listing lapsed: the order side
   * answers (and settles an order still unpaid, or one never written, so that it can never be
   * paid later); it answers commit only for a paid order that bought this listing.
   * Wired in src/index.ts; this class knows nothing of how orders are kept.
   */
  protected abstract reservationFate(orderId: string, listingId: string): Promise<ReservationFate>

  /**
   * ARCHITECTURE.md "Decisions": a checkout's reservation whose time is up asks its order's fate
   * and then commits or releases. The await lets other commands in, so each decision is taken on
   * the state as it is after the answer.
   */
  private async settleLapsedReservations(): Promise<void> {
    for (const due of this.state ? dueOrderReservations(this.state, this.now()) : []) {
      let fate: ReservationFate
      try {
        fate = await this.reservationFate(due.id, this.state?.id ?? '')
      } catch (err) {
        rootLogger('warn', { listingId: this.state?.id }).warn('reservation_fate_unknown', { reservationId: due.id, err })
        this.retryNotBefore = this.now().getTime() + FATE_RETRY_MS
        continue
      }
      const s = this.state
      if (!s?.reservations.some((r) => r.id === due.id)) continue
      const now = this.now()
      const prior = this.store.settledOutcome(due.id)
      const d = fate === 'commit' ? commit(s, due.id, now, prior) : release(s, due.id, 'expired', now, prior)
      if (d.ok) await this.commitDecision(d, now)
      else {
        // Only corrupted state gets here; without a pause the past deadline would re-fire at once.
        rootLogger('error', { listingId: s.id }).error('reservation_settle_refused', { reservationId: due.id, fate, rejection: d.rejection })
        this.retryNotBefore = now.getTime() + FATE_RETRY_MS
      }
    }
  }

  /** Commits an accepted decision and answers with `shape` of the new state; passes rejections through. */
  private async run<T, R>(d: ListingDecision<R>, now: Date, shape: (s: ListingState) => T): Promise<Outcome<T, R>> {
    if (!d.ok) return d
    await this.commitDecision(d, now)
    return ok(shape(this.state ?? d.state))
  }

  private async commitDecision(d: ListingAccepted, now: Date): Promise<void> {
    if (d.state === this.state && d.events.length === 0 && d.settlements.length === 0) return
    this.store.ensureCreated()
    const { live, over } = settledOffers(d.state)
    const state: ListingState = { ...d.state, offers: live, version: this.store.lastSeq() + d.events.length }
    const stored = this.ctx.storage.transactionSync(() => {
      this.store.save(state)
      this.store.archiveOffers(over)
      this.store.settle(d.settlements, now)
      return this.store.append(d.events, listingView(state, now), () => newId('evt', now), now, currentTraceparent())
    })
    this.state = state
    // Outside the transaction, and not awaited: the relays send to the watchers.
    if (stored.length > 0) this.relays.published(stored.map(relayMessage))
    await this.armAlarm()
  }

  /** One `live.resync` with the listing as it stands, for a watcher or relay `missed` events behind. */
  private resyncOf(missed: number): RelayMessage {
    const seq = this.store.lastSeq()
    const listing = this.state ? listingView(this.state, this.now()) : null
    if (!listing) throw new Error('resync of a listing that does not exist')
    return { seq, text: JSON.stringify(resyncMessage(seq, listing, missed)) }
  }

  /** Arms the alarm for the earliest of: the next deadline, the next outbox attempt, a relay's retry. */
  private async armAlarm(): Promise<void> {
    const times = [this.state ? nextDeadline(this.state) : null, this.store.nextOutboxAttempt(), this.relays.nextRetryAt()].filter((t): t is number => t !== null)
    if (times.length === 0) return
    const target = Math.max(Math.min(...times), this.retryNotBefore ?? 0)
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm()
    if (this.alarmAt !== null && this.alarmAt <= target) return
    this.alarmAt = target
    await this.ctx.storage.setAlarm(target)
  }

  private offerOf(s: ListingState, offerId: string): OfferView {
    const o = s.offers.find((x) => x.id === offerId) ?? this.store.archivedOffer(offerId)
    if (!o) throw new Error(`offer ${offerId} missing after its own command`)
    return offerView(s, o)
  }

  private bidderAlias(listingId: string, bidderId: string): Promise<string> {
    return pseudonym(settingsOf(this.env).pseudonymKey, `bidder:${listingId}`, bidderId).then((p) => `bidder-${p.slice(0, 8)}`)
  }

  private rules() {
    return settingsOf(this.env).listingRules
  }
}
