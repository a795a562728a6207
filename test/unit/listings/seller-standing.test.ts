import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { endAuction, placeBid } from '../../../src/listings/auction'
import { availableQuantity, listingStatus, sellerFrozen, type ListingState } from '../../../src/listings/listing-state'
import { listingView } from '../../../src/listings/listing-view'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { applySellerStanding } from '../../../src/listings/seller-standing'
import { commit, release, reserve, type Reserve } from '../../../src/listings/stock'
import { accepted, at, bid, HOUR, MINUTE, openAuction, openFixed, refused, RULES, types, usd } from './fixtures'

const TTL = 15 * MINUTE
const hold = (reservationId: string, quantity = 1, holderId = 'usr_buyer'): Reserve => ({ reservationId, holderId, quantity, ttlMs: TTL })
const frozen = (seq: number) => ({ frozen: true, seq })
const unfrozen = (seq: number) => ({ frozen: false, seq })
const suspend = (s: ListingState, seq = 1): ListingState => accepted(applySellerStanding(s, frozen(seq), at(MINUTE))).state

describe('applySellerStanding', () => {
  it('suspends on a freeze and reinstates on the unfreeze after it, each with its event', () => {
    const d = accepted(applySellerStanding(openFixed(), frozen(1), at(MINUTE)))
    expect(types(d.events)).toEqual(['listing.suspended'])
    expect(sellerFrozen(d.state)).toBe(true)
    const back = accepted(applySellerStanding(d.state, unfrozen(2), at(2 * MINUTE)))
    expect(types(back.events)).toEqual(['listing.reinstated'])
    expect(sellerFrozen(back.state)).toBe(false)
  })

  it('ignores a standing it already heard or an older one: a repeated or late word never undoes a newer one', () => {
    const s = suspend(openFixed(), 3)
    expect(accepted(applySellerStanding(s, frozen(3), at(HOUR)))).toMatchObject({ state: s, events: [] })
    expect(accepted(applySellerStanding(s, unfrozen(2), at(HOUR)))).toMatchObject({ state: s, events: [] })
    // A fresh listing is in good standing at seq 0: an unfreeze of a seller never frozen is nothing.
    expect(accepted(applySellerStanding(openFixed(), unfrozen(0), at(HOUR))).events).toEqual([])
  })

  it('whatever order the words arrive in, the listing ends with the newest one', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1 }), (seqs) => {
        // Odd seqs are freezes, even ones unfreezes, as an account's standing seq counts them.
        const end = seqs.reduce((s, seq) => accepted(applySellerStanding(s, { frozen: seq % 2 === 1, seq }, at(MINUTE))).state, openFixed())
        expect(sellerFrozen(end)).toBe(Math.max(...seqs) % 2 === 1)
      }),
    )
  })

  it('shows the listing suspended, still active, without Buy It Now or a minimum bid to offer', () => {
    const auction = suspend(openAuction({ buyNowPrice: 5_000 }))
    const view = listingView(auction, at(2 * MINUTE))
    expect(view).toMatchObject({ status: 'active', suspended: true })
    expect(view).not.toHaveProperty('buyNowPrice')
    expect(view).not.toHaveProperty('minimumBid')
    expect(listingView(openFixed(), at(0))).not.toHaveProperty('suspended')
  })
})

describe('a suspended listing', () => {
  it('holds nothing new: a checkout, a Buy It Now and an accepted offer’s checkout are refused', () => {
    expect(refused(reserve(suspend(openFixed({ quantity: 3 })), hold('ord_1'), at(2 * MINUTE), undefined))).toEqual({ code: 'seller_frozen' })
    expect(refused(reserve(suspend(openAuction({ buyNowPrice: 5_000 })), hold('ord_1'), at(2 * MINUTE), undefined))).toEqual({ code: 'seller_frozen' })
    const offered = accepted(makeOffer(openFixed(), { offerId: 'ofr_1', buyerId: 'usr_buyer', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
    const acceptedOffer = accepted(respondToOffer(offered, 'ofr_1', 'usr_seller', { kind: 'accept' }, at(MINUTE), RULES)).state
    expect(refused(reserve(suspend(acceptedOffer), hold('ord_1'), at(2 * MINUTE), undefined))).toEqual({ code: 'seller_frozen' })
  })

  it('still answers a hold made before the freeze, and lets it commit or release: nothing is lost or sold twice', () => {
    const held = accepted(reserve(openFixed({ quantity: 2 }), hold('ord_1'), at(0), undefined)).state
    const s = suspend(held)
    expect(accepted(reserve(s, hold('ord_1'), at(2 * MINUTE), undefined)).events).toEqual([])
    const sold = accepted(commit(s, 'ord_1', at(3 * MINUTE), undefined)).state
    expect(sold.sold).toBe(1)
    expect(availableQuantity(accepted(release(s, 'ord_1', 'released', at(3 * MINUTE), undefined)).state)).toBe(2)
  })

  it('takes no bids and no offers, nor a buyer’s acceptance or counter; a decline still goes through', () => {
    expect(refused(placeBid(suspend(openAuction()), bid('usr_a', 1_500), at(2 * MINUTE), RULES))).toEqual({ code: 'seller_frozen' })
    expect(refused(makeOffer(suspend(openFixed()), { offerId: 'ofr_1', buyerId: 'usr_buyer', unitAmount: usd(4_000), quantity: 1 }, at(2 * MINUTE), RULES))).toEqual({
      code: 'seller_frozen',
    })
    const offered = accepted(makeOffer(openFixed(), { offerId: 'ofr_1', buyerId: 'usr_buyer', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
    const countered = accepted(respondToOffer(offered, 'ofr_1', 'usr_seller', { kind: 'counter', counterId: 'ofr_2', unitAmount: usd(4_500) }, at(MINUTE), RULES)).state
    const s = suspend(countered)
    expect(refused(respondToOffer(s, 'ofr_2', 'usr_buyer', { kind: 'accept' }, at(2 * MINUTE), RULES))).toEqual({ code: 'seller_frozen' })
    expect(refused(respondToOffer(s, 'ofr_2', 'usr_buyer', { kind: 'counter', counterId: 'ofr_3', unitAmount: usd(4_200) }, at(2 * MINUTE), RULES))).toEqual({ code: 'seller_frozen' })
    expect(types(accepted(respondToOffer(s, 'ofr_2', 'usr_buyer', { kind: 'decline' }, at(2 * MINUTE), RULES)).events)).toEqual(['offer.declined'])
  })

  it('ends its auction without a sale: no winner, no hold for anyone', () => {
    const bidOn = accepted(placeBid(openAuction(), bid('usr_a', 1_500), at(MINUTE), RULES)).state
    const ended = accepted(endAuction(suspend(bidOn), at(31 * MINUTE), RULES))
    expect(ended.events).toEqual([{ type: 'auction.ended', data: { outcome: 'cancelled', finalPrice: null, bidCount: 1 }, private: { winnerId: null } }])
    expect(ended.state.reservations).toEqual([])
    expect(listingStatus(ended.state, at(31 * MINUTE))).toBe('ended')
    // Reinstated after its end, it stays ended: the unfreeze brings back nothing to buy.
    const reinstated = accepted(applySellerStanding(ended.state, unfrozen(2), at(HOUR))).state
    expect(refused(reserve(reinstated, hold('ord_1'), at(HOUR), undefined))).toEqual({ code: 'listing_closed' })
    expect(accepted(endAuction(reinstated, at(HOUR), RULES)).events).toEqual([])
  })

  it('reinstated before its end, an auction runs on and sells to its leader', () => {
    const bidOn = accepted(placeBid(openAuction(), bid('usr_a', 1_500), at(MINUTE), RULES)).state
    const back = accepted(applySellerStanding(suspend(bidOn), unfrozen(2), at(10 * MINUTE))).state
    expect(types(accepted(endAuction(back, at(31 * MINUTE), RULES)).events)).toEqual(['auction.ended', 'auction.won', 'stock.reserved'])
  })
})
