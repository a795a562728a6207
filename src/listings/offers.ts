import { reject } from '../core/decision'
import { money, type Money } from '../core/money'
import { accepted, type ListingAccepted, type ListingDecision } from './listing-decision'
import type { ListingEvent, OfferDeclineReason, OfferSnapshot } from '../events/contract/listing-events'
import { availableQuantity, listingStatus, sellerFrozen, type ListingRules, type ListingState, type Offer } from './listing-state'
import { hold } from './holds'
import { offerView } from './listing-view'

/**
 * Best offers (eBay) with counter-offers: an offer lives 48 hours; each buyer has one live thread
 * (a new offer supersedes theirs, a counter declines the one it answers); accepting reserves the
 * stock for the buyer's checkout, and declines the offers that stock can no longer cover (on a
 * one-unit listing, all of them). The party who did not make an offer is the one who answers it.
 */
export type MakeOffer = { offerId: string; buyerId: string; unitAmount: Money; quantity: number }

export type OfferResponse =
  | { kind: 'accept' }
  | { kind: 'decline' }
  | { kind: 'counter'; counterId: string; unitAmount: Money }

/** Pending offers one listing holds at most (each buyer has one): a bound on its state. */
export const MAX_PENDING_OFFERS = 100

export type OfferRejection =
  | { code: 'offers_not_accepted' }
  | { code: 'offer_limit' }
  | { code: 'listing_closed' }
  | { code: 'own_listing' }
  | { code: 'currency_mismatch' }
  | { code: 'offer_above_price' }
  | { code: 'sold_out'; available: number }
  | { code: 'offer_not_found' }
  | { code: 'not_your_turn' }
  | { code: 'offer_not_pending' }
  /** The seller's account is frozen: no new offer, counter or acceptance (seller-standing.ts). */
  | { code: 'seller_frozen' }

export function makeOffer(s: ListingState, cmd: MakeOffer, now: Date, rules: Pick<ListingRules, 'offerTtlMs'>): ListingDecision<OfferRejection> {
  if (s.format !== 'fixed_price' || !s.acceptsOffers) return reject({ code: 'offers_not_accepted' })
  if (listingStatus(s, now) !== 'active') return reject({ code: 'listing_closed' })
  if (sellerFrozen(s)) return reject({ code: 'seller_frozen' })
  if (cmd.buyerId === s.sellerId) return reject({ code: 'own_listing' })
  const priced = checkAmount(s, cmd.unitAmount)
  if (priced) return priced
  const available = availableQuantity(s)
  if (cmd.quantity > available) return reject({ code: 'sold_out', available })
  const pendingElsewhere = s.offers.filter((o) => o.status === 'pending' && o.buyerId !== cmd.buyerId).length
  if (pendingElsewhere >= MAX_PENDING_OFFERS) return reject({ code: 'offer_limit' })
  const superseded = closeOffers(s, (o) => o.buyerId === cmd.buyerId, 'superseded', 'superseded', now)
  return accepted(...addOffer(superseded.state, superseded.events, { id: cmd.offerId, buyerId: cmd.buyerId, from: 'buyer', counters: null }, cmd, now, rules))
}

export function respondToOffer(
  s: ListingState,
  offerId: string,
  actorId: string,
  response: OfferResponse,
  now: Date,
  rules: Pick<ListingRules, 'offerTtlMs' | 'offerCheckoutMs'>,
): ListingDecision<OfferRejection> {
  const offer = s.offers.find((o) => o.id === offerId)
  if (!offer || (actorId !== s.sellerId && actorId !== offer.buyerId)) return reject({ code: 'offer_not_found' })
  const answerer = offer.from === 'buyer' ? s.sellerId : offer.buyerId
  if (actorId !== answerer) return reject({ code: 'not_your_turn' })
  if (offer.status !== 'pending' || Date.parse(offer.expiresAt) <= now.getTime()) return reject({ code: 'offer_not_pending' })
  if (listingStatus(s, now) !== 'active') return reject({ code: 'listing_closed' })
  // Declining is always open: it commits nobody to anything.
  if (response.kind !== 'decline' && sellerFrozen(s)) return reject({ code: 'seller_frozen' })

  switch (response.kind) {
    case 'decline':
      return closeOffers(s, (o) => o.id === offerId, 'declined', 'declined', now)
    case 'counter': {
      const priced = checkAmount(s, response.unitAmount)
      if (priced) return priced
      const closed = closeOffers(s, (o) => o.id === offerId, 'countered', 'countered', now)
      const counter = { id: response.counterId, buyerId: offer.buyerId, from: answererSide(offer), counters: offer.id }
      return accepted(...addOffer(closed.state, closed.events, counter, { unitAmount: response.unitAmount, quantity: offer.quantity }, now, rules))
    }
    case 'accept':
      return acceptOffer(s, offer, now, rules)
  }
}

function acceptOffer(s: ListingState, offer: Offer, now: Date, rules: Pick<ListingRules, 'offerCheckoutMs'>): ListingDecision<OfferRejection> {
  const available = availableQuantity(s)
  if (offer.quantity > available) return reject({ code: 'sold_out', available })
  const acceptedOffer: Offer = { ...offer, status: 'accepted' }
  const withOffer = { ...s, offers: s.offers.map((o) => (o.id === offer.id ? acceptedOffer : o)) }
  const unitAmount = money(offer.unitAmount, s.currency)
  const [held, reserved] = hold(
    withOffer,
    { id: offer.id, holderId: offer.buyerId, quantity: offer.quantity, unitPrice: offer.unitAmount, source: 'offer', orderBound: false },
    now,
    rules.offerCheckoutMs,
  )
  const acceptedEvent: ListingEvent = {
    type: 'offer.accepted',
    data: { offerId: offer.id },
    private: { buyerId: offer.buyerId, reservationId: offer.id, unitAmount, quantity: offer.quantity, offer: offerSnapshot(held, acceptedOffer) },
  }
  const left = availableQuantity(held)
  const crowdedOut = closeOffers(held, (o) => o.quantity > left, 'declined', 'stock_taken', now)
  return accepted(crowdedOut.state, [acceptedEvent, ...reserved, ...crowdedOut.events])
}

/** Offers still pending past their 48 hours expire. */
export function expireOffers(s: ListingState, now: Date): ListingAccepted {
  const due = (o: Offer) => o.status === 'pending' && Date.parse(o.expiresAt) <= now.getTime()
  const expiring = s.offers.filter(due).map((o): Offer => ({ ...o, status: 'expired' }))
  if (expiring.length === 0) return accepted(s, [])
  const after = withChangedOffers(s, expiring, now)
  return accepted(after, expiring.map((o): ListingEvent => ({ type: 'offer.expired', data: { offerId: o.id }, private: { buyerId: o.buyerId, offer: offerSnapshot(after, o) } })))
}

/** Closes the pending offers that `which` picks, each with an `offer.declined` event. */
export function closeOffers(s: ListingState, which: (o: Offer) => boolean, status: Offer['status'], reason: OfferDeclineReason, now: Date): ListingAccepted {
  const closed = s.offers.filter((o) => o.status === 'pending' && which(o)).map((o): Offer => ({ ...o, status }))
  if (closed.length === 0) return accepted(s, [])
  const after = withChangedOffers(s, closed, now)
  return accepted(after, closed.map((o): ListingEvent => ({ type: 'offer.declined', data: { offerId: o.id, reason }, private: { buyerId: o.buyerId, offer: offerSnapshot(after, o) } })))
}

/** `s` with `changed` in place of the offers of the same ids, changed at `now`. */
function withChangedOffers(s: ListingState, changed: Offer[], now: Date): ListingState {
  const byId = new Map(changed.map((o) => [o.id, o]))
  return { ...s, offers: s.offers.map((o) => byId.get(o.id) ?? o), updatedAt: now.toISOString() }
}

function addOffer(
  s: ListingState,
  before: ListingEvent[],
  who: Pick<Offer, 'id' | 'buyerId' | 'from' | 'counters'>,
  terms: { unitAmount: Money; quantity: number },
  now: Date,
  rules: Pick<ListingRules, 'offerTtlMs'>,
): [ListingState, ListingEvent[]] {
  const offer: Offer = {
    ...who,
    unitAmount: terms.unitAmount.amount,
    quantity: terms.quantity,
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + rules.offerTtlMs).toISOString(),
  }
  const after = { ...s, offers: [...s.offers, offer], updatedAt: now.toISOString() }
  const event: ListingEvent = {
    type: 'offer.created',
    data: { offerId: offer.id, from: offer.from, expiresAt: offer.expiresAt },
    private: { buyerId: offer.buyerId, unitAmount: terms.unitAmount, quantity: offer.quantity, counters: offer.counters, offer: offerSnapshot(after, offer) },
  }
  return [after, [...before, event]]
}

function checkAmount(s: ListingState, amount: Money): ListingDecision<OfferRejection> | undefined {
  if (amount.currency !== s.currency) return reject({ code: 'currency_mismatch' })
  if (s.price !== null && amount.amount > s.price) return reject({ code: 'offer_above_price' })
  return undefined
}

/** The offer as its events carry it: its view in `s`, less the reservation (`OfferSnapshot` in listing-events.ts). */
export function offerSnapshot(s: ListingState, o: Offer): OfferSnapshot {
  const { reservation: _reservation, ...snapshot } = offerView(s, o)
  return snapshot
}

const answererSide = (o: Offer): Offer['from'] => (o.from === 'buyer' ? 'seller' : 'buyer')

/**
 * Splits offers into those the listing still acts on (pending, or accepted while their
 * reservation stands) and those that are over, which the object archives out of its state row.
 */
export function settledOffers(s: ListingState): { live: Offer[]; over: Offer[] } {
  const live: Offer[] = []
  const over: Offer[] = []
  for (const o of s.offers) {
    const acting = o.status === 'pending' || (o.status === 'accepted' && s.reservations.some((r) => r.id === o.id))
    ;(acting ? live : over).push(o)
  }
  return { live, over }
}
