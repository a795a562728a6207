import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { ListingObject } from '../../../src/listings/listing-object'
import { createAuction, createFixed, newOfferId, SELLER, usd, userId } from './fixtures'

const reserve = (reservationId: string, holderId: string, quantity = 1) => ({ reservationId, holderId, quantity, ttlMs: 15 * 60_000 })

describe('ListingObject: stock (law 1)', () => {
  it('never oversells: 100 simultaneous reservations for 10 units, 10 hold', async () => {
    const { stub } = await createFixed(10, false)
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => stub.reserve(reserve(`ord_${i}`, userId(i + 1)))))
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10)
    for (const o of outcomes) if (!o.ok) expect(o.rejection).toEqual({ code: 'sold_out', available: 0 })
    expect(await stub.view()).toMatchObject({ quantity: 10, available: 0, status: 'active' })
  })

  it('is idempotent by reservation id: repeats do nothing, commit counts once, release after commit is refused', async () => {
    const { stub } = await createFixed(3, false)
    expect((await stub.reserve(reserve('ord_a', userId(1), 2))).ok).toBe(true)
    expect((await stub.reserve(reserve('ord_a', userId(1), 2))).ok).toBe(true)
    expect(await stub.reserve(reserve('ord_a', userId(1), 1))).toEqual({ ok: false, rejection: { code: 'reservation_conflict' } })
    expect(await stub.view()).toMatchObject({ available: 1 })
    expect(await stub.commit('ord_a')).toMatchObject({ ok: true, value: { available: 1 } })
    expect(await stub.commit('ord_a')).toMatchObject({ ok: true, value: { available: 1 } })
    expect(await stub.release('ord_a')).toEqual({ ok: false, rejection: { code: 'already_committed' } })
    const committed = (await stub.eventsSince(0)).filter((e) => e.type === 'stock.committed')
    expect(committed).toHaveLength(1)
  })

  it('refuses a reservation that arrives after its own release (a saga racing its compensation)', async () => {
    const { stub } = await createFixed(3, false)
    expect((await stub.release('ord_late')).ok).toBe(true)
    expect(await stub.reserve(reserve('ord_late', userId(1)))).toEqual({ ok: false, rejection: { code: 'reservation_released' } })
    expect(await stub.view()).toMatchObject({ available: 3 })
  })

  it('sells out at the last commit and says so', async () => {
    const { stub } = await createFixed(1, false)
    await stub.reserve(reserve('ord_x', userId(1)))
    await stub.commit('ord_x')
    expect(await stub.view()).toMatchObject({ status: 'sold_out', available: 0 })
    expect((await stub.eventsSince(0)).map((e) => e.type).slice(-2)).toEqual(['stock.committed', 'listing.sold_out'])
    expect(await stub.reserve(reserve('ord_y', userId(2)))).toEqual({ ok: false, rejection: { code: 'sold_out', available: 0 } })
  })

  it('gives expired reservations back on the alarm', async () => {
    const { stub } = await createFixed(2, false)
    await stub.reserve(reserve('ord_slow', userId(1), 2))
    expect(await stub.view()).toMatchObject({ available: 0 })
    await runInDurableObject(stub, (o: ListingObject) => {
      o.now = () => new Date(Date.now() + 16 * 60_000)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await stub.view()).toMatchObject({ available: 2 })
    const released = (await stub.eventsSince(0)).find((e) => e.type === 'stock.released')
    expect(released?.data).toMatchObject({ quantity: 2, reason: 'expired' })
    expect(await stub.commit('ord_slow')).toEqual({ ok: false, rejection: { code: 'reservation_released' } })
  })

  it('sells an auction through Buy It Now, which ends it', async () => {
    const { stub } = await createAuction({ buyNowPrice: 9000 })
    expect(await stub.view()).toMatchObject({ buyNowPrice: usd(9000) })
    expect((await stub.reserve(reserve('ord_bin', userId(1)))).ok).toBe(true)
    expect(await stub.view()).toMatchObject({ status: 'ended' })
    expect(await stub.placeBid({ bidderId: userId(2), maxAmount: usd(5000) })).toEqual({ ok: false, rejection: { code: 'auction_ended' } })
    expect(await stub.commit('ord_bin')).toMatchObject({ ok: true, value: { status: 'sold_out' } })
  })
})

describe('ListingObject: offers', () => {
  it('lets exactly one of 20 offers win when the seller accepts them all at once on a one-unit listing', async () => {
    const { stub } = await createFixed(1, true)
    const ids = Array.from({ length: 20 }, () => newOfferId())
    const made = await Promise.all(ids.map((offerId, i) => stub.makeOffer({ offerId, buyerId: userId(i + 1), unitAmount: usd(4000 + i), quantity: 1 })))
    expect(made.every((o) => o.ok)).toBe(true)
    const answers = await Promise.all(ids.map((id) => stub.respondToOffer(id, SELLER, { kind: 'accept' })))
    const winners = answers.filter((a) => a.ok)
    expect(winners).toHaveLength(1)
    for (const a of answers) if (!a.ok) expect(a.rejection.code).toMatch(/^(offer_not_pending|sold_out)$/)
    expect(await stub.view()).toMatchObject({ available: 0 })
    const winner = winners[0]
    if (!winner?.ok) return
    expect(winner.value).toMatchObject({ status: 'accepted', reservation: { id: winner.value.id } })
    // The buyer checks out against the offer's reservation.
    expect(await stub.commit(winner.value.id)).toMatchObject({ ok: true, value: { status: 'sold_out' } })
  })

  it('expires offers after 48 hours on the alarm', async () => {
    const { stub } = await createFixed(1, true)
    const offerId = newOfferId()
    await stub.makeOffer({ offerId, buyerId: userId(1), unitAmount: usd(4500), quantity: 1 })
    // The outbox's alarm is due at once and may fire by itself at any moment: let it run first
    // (on the real clock, it expires nothing), so the only alarm left is the offer's expiry.
    await runDurableObjectAlarm(stub)
    expect(await stub.offer(offerId, userId(1))).toMatchObject({ status: 'pending' })
    await runInDurableObject(stub, (o: ListingObject) => {
      o.now = () => new Date(Date.now() + 48 * 3_600_000 + 1000)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await stub.offer(offerId, userId(1))).toMatchObject({ status: 'expired' })
    expect(await stub.respondToOffer(offerId, SELLER, { kind: 'accept' })).toEqual({ ok: false, rejection: { code: 'offer_not_pending' } })
  })

  it('runs a counter-offer thread: the buyer accepts the seller’s counter', async () => {
    const { stub } = await createFixed(2, true)
    const first = newOfferId()
    const counter = newOfferId()
    await stub.makeOffer({ offerId: first, buyerId: userId(1), unitAmount: usd(3000), quantity: 1 })
    expect(await stub.respondToOffer(first, userId(1), { kind: 'accept' })).toEqual({ ok: false, rejection: { code: 'not_your_turn' } })
    expect(await stub.respondToOffer(first, userId(9), { kind: 'accept' })).toEqual({ ok: false, rejection: { code: 'offer_not_found' } })
    const countered = await stub.respondToOffer(first, SELLER, { kind: 'counter', counterId: counter, unitAmount: usd(4000) })
    expect(countered).toMatchObject({ ok: true, value: { id: counter, from: 'seller', counters: first, status: 'pending' } })
    expect(await stub.offer(first, SELLER)).toMatchObject({ status: 'countered' })
    expect(await stub.respondToOffer(counter, userId(1), { kind: 'accept' })).toMatchObject({ ok: true, value: { status: 'accepted', amount: usd(4000) } })
    expect(await stub.offer(counter, userId(9))).toBeNull()
  })
})

describe('ListingObject: unknown ids', () => {
  it('answers not found for a listing never created, and leaves no storage behind', async () => {
    const { env } = await import('cloudflare:workers')
    const { listingStub } = await import('../../../src/listings/listing-object')
    const stub = listingStub(env, `lst_${'7'.repeat(26)}`)
    expect(await stub.view()).toBeNull()
    expect(await stub.placeBid({ bidderId: userId(1), maxAmount: usd(100) })).toEqual({ ok: false, rejection: { code: 'not_found' } })
    expect(await stub.bidHistory(undefined, 10)).toBeNull()
    const tables = await runInDurableObject(stub, (_o: ListingObject, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name),
    )
    expect(tables.filter((t) => !t.startsWith('_cf') && !t.startsWith('sqlite'))).toEqual([])
  })
})

describe('ListingObject: offers that are over', () => {
  it('moves them out of the state row, and still shows them to their parties', async () => {
    const { stub } = await createFixed(1, true)
    const declined = newOfferId()
    await stub.makeOffer({ offerId: declined, buyerId: userId(1), unitAmount: usd(3000), quantity: 1 })
    expect((await stub.respondToOffer(declined, SELLER, { kind: 'decline' })).ok).toBe(true)
    const live = await runInDurableObject(stub, (o: ListingObject) => (o as unknown as { state: { offers: { id: string }[] } }).state.offers.map((x) => x.id))
    expect(live).toEqual([])
    expect(await stub.offer(declined, userId(1))).toMatchObject({ id: declined, status: 'declined' })
    expect(await stub.offer(declined, userId(2))).toBeNull()
    expect(await stub.respondToOffer(declined, SELLER, { kind: 'accept' })).toEqual({ ok: false, rejection: { code: 'offer_not_pending' } })
    expect(await stub.respondToOffer(declined, userId(2), { kind: 'accept' })).toEqual({ ok: false, rejection: { code: 'offer_not_found' } })
  })
})
