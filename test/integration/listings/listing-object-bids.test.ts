import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { placeBid } from '../../../src/listings/auction'
import { createListing } from '../../../src/listings/listing-lifecycle'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import type { ListingState } from '../../../src/listings/listing-state'
import { createAuction, SELLER, usd, userId } from './fixtures'

const rules = { softCloseMs: 120_000, minAuctionMs: 1, maxAuctionMs: 30 * 86_400_000, offerTtlMs: 0, offerCheckoutMs: 0, auctionPaymentMs: 48 * 3_600_000 }

describe('ListingObject: bids', () => {
  it('serializes 200 simultaneous bids into the state the pure model reaches from its log', async () => {
    const { id, stub } = await createAuction({ reservePrice: 30_000 })
    const bids = Array.from({ length: 200 }, (_, i) => ({ bidderId: userId(i + 1), maxAmount: usd(1000 + Math.floor(Math.random() * 60_000)) }))
    const outcomes = await Promise.all(bids.map((b) => stub.placeBid(b)))
    const accepted = outcomes.filter((o) => o.ok)
    const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.rejection]))
    expect(accepted.length + refused.length).toBe(200)
    for (const r of refused) expect(r.code).toBe('bid_too_low')

    // Replay the accepted bids, in the order the object took them, through the pure core.
    const log = (await stub.eventsSince(0)).filter((e) => e.type === 'bid.placed')
    expect(log).toHaveLength(accepted.length)
    const created = createListing(
      { id, sellerId: SELLER, title: 't', description: '', category: 'home', format: 'auction', currency: 'USD', acceptsOffers: false,
        auction: { startingBid: 1000, reservePrice: 30_000, buyNowPrice: null, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
      new Date(),
      rules,
    )
    if (!created.ok) throw new Error('model listing refused')
    let model: ListingState = created.state
    for (const e of log) {
      const bid = { bidId: e.data.bidId as string, bidderId: e.private.bidderId as string, bidderAlias: 'x', maxAmount: e.private.maxAmount as ReturnType<typeof usd> }
      const d = placeBid(model, bid, new Date(), rules)
      expect(d.ok).toBe(true)
      if (!d.ok) return
      expect(e.data.currentPrice).toEqual(usd(d.state.auction?.currentPrice ?? -1))
      model = d.state
    }
    const real = await runInDurableObject(stub, (o: ListingObject) => (o as unknown as { state: ListingState }).state)
    expect(real.auction?.currentPrice).toBe(model.auction?.currentPrice)
    expect(real.auction?.leader).toEqual(model.auction?.leader)
    expect(real.auction?.runnerUp).toEqual(model.auction?.runnerUp)
    expect(real.auction?.bidCount).toBe(accepted.length)

    // The winner is the highest maximum that stood, and the log is gap-free.
    const highest = Math.max(...log.map((e) => (e.private.maxAmount as { amount: number }).amount))
    expect(real.auction?.leader?.maxAmount).toBe(highest)
    const seqs = (await stub.eventsSince(0)).map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  })

  it('refuses the seller, wrong currencies, and bids under the minimum, changing nothing', async () => {
    const { stub } = await createAuction()
    expect(await stub.placeBid({ bidderId: SELLER, maxAmount: usd(5000) })).toEqual({ ok: false, rejection: { code: 'own_listing' } })
    expect(await stub.placeBid({ bidderId: userId(1), maxAmount: { amount: 5000, currency: 'EUR' } })).toEqual({ ok: false, rejection: { code: 'currency_mismatch' } })
    expect(await stub.placeBid({ bidderId: userId(1), maxAmount: usd(999) })).toEqual({
      ok: false,
      rejection: { code: 'bid_too_low', minimum: usd(1000), floor: usd(1000), newBidderMinimum: usd(1000) },
    })
    expect(await stub.eventsSince(1)).toEqual([])
    expect((await stub.view())?.version).toBe(1)
  })

  it('ends the auction on its alarm, after an eviction: the winner holds the item awaiting payment', async () => {
    const { id, stub: before } = await createAuction({ reservePrice: 2000 }, 600_000)
    expect(await before.placeBid({ bidderId: userId(1), maxAmount: usd(1500) })).toMatchObject({ ok: true })
    expect(await before.placeBid({ bidderId: userId(2), maxAmount: usd(4000) })).toMatchObject({ ok: true, value: { leading: true } })
    await abortAllDurableObjects() // the object restarts: memory gone, storage and alarm kept
    const stub = listingStub(env, id)
    const endsAt = Date.parse((await stub.view())?.endsAt ?? '')
    await runInDurableObject(stub, (o: ListingObject) => {
      o.now = () => new Date(endsAt + 1000)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    const types = (await stub.eventsSince(0)).map((e) => e.type)
    expect(types).toEqual(['listing.created', 'bid.placed', 'bid.placed', 'auction.ended', 'auction.won', 'stock.reserved'])
    const ended = (await stub.eventsSince(3)).find((e) => e.type === 'auction.won')
    expect(ended?.private).toMatchObject({ winnerId: userId(2) })
    expect(ended?.data).toMatchObject({ price: usd(2000) })
    const view = await stub.view()
    expect(view).toMatchObject({ status: 'ended', currentPrice: usd(2000), reserveMet: true })
    expect(await stub.placeBid({ bidderId: userId(3), maxAmount: usd(9000) })).toEqual({ ok: false, rejection: { code: 'auction_ended' } })
  })

  it('extends the end when a bid lands in the soft-close window', async () => {
    const { stub } = await createAuction({}, 60_000)
    const before = (await stub.view())?.endsAt ?? ''
    const bid = await stub.placeBid({ bidderId: userId(1), maxAmount: usd(1200) })
    expect(bid.ok).toBe(true)
    const after = (await stub.view())?.endsAt ?? ''
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before))
    expect((await stub.eventsSince(0)).map((e) => e.type)).toContain('auction.extended')
  })

  it('keeps the reserve, maximums and bidder ids out of every public payload', async () => {
    const { stub } = await createAuction({ reservePrice: 7777, buyNowPrice: 9999 })
    await stub.placeBid({ bidderId: userId(1), maxAmount: usd(6543) })
    const publicText = JSON.stringify([await stub.view(), ...(await stub.eventsSince(0)).map((e) => e.data)])
    expect(publicText).not.toContain('7777')
    expect(publicText).not.toContain('6543')
    expect(publicText).not.toContain(userId(1))
    const history = await stub.bidHistory(userId(1), 10)
    expect(history).toEqual([expect.objectContaining({ bidder: expect.stringMatching(/^bidder-[A-Za-z0-9_-]{8}$/), price: usd(1000), mine: true })])
  })
})
