import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { forgetPolicy } from '../../../src/risk/risk-policy-adapters'
import type { RiskRule } from '../../../src/risk/risk-rules'
import { call, json, makeStaff, PASSWORD, register, uniqueEmail, type Registered } from '../support/api'
import { verifySeller } from '../support/kyc'
import { sellerWithEarnings } from '../support/earnings'
import { database } from '../../../src/db/client'
import { pendingPayoutsBefore } from '../../../src/ledger/payout-store'
import { eventually } from '../checkout/checkout-fixtures'

/**
 * The risk rules on the acts other than checkout: registration, listing creation, payouts and
 * bids (shill bidding: the bidder on the seller's device or address). `block` refuses with
 * nothing written; `review` lets the act stand and queues it for staff.
 */

const rule = (over: Partial<RiskRule> & Pick<RiskRule, 'id' | 'verdict' | 'all' | 'action'>): RiskRule => ({ any: [], reason: over.id.replaceAll('_', ' '), enabled: true, ...over })

async function useRules(rules: RiskRule[]): Promise<Registered> {
  const staff = await register('risk-admin')
  await makeStaff(staff.user.id, 'admin')
  const res = await call('/v1/admin/risk/rules', { method: 'PUT', token: staff.token, json: { rules }, headers: { 'If-Match': '*' } })
  expect(res.status).toBe(200)
  return staff
}

const from = (ip: string, device?: string): Record<string, string> => ({ 'cf-connecting-ip': ip, ...(device ? { 'x-device-id': device } : {}) })

const reviewsOf = async (staff: Registered, kind: string, subjectId: string) =>
  (await json<{ data: { subjectId: string; reasons: string[]; status: string }[] }>(await call(`/v1/admin/risk/reviews?kind=${kind}&limit=100`, { token: staff.token }))).data.filter((r) => r.subjectId === subjectId)

afterEach(() => forgetPolicy())

const endsAt = () => new Date(Date.now() + 3_600_000).toISOString()
const auctionBody = { title: 'Signed print', description: 'Numbered 3/50', category: 'art', format: 'auction', auction: { startingBid: { amount: 1000, currency: 'USD' } }, acceptsOffers: false }

async function auctionBy(seller: Registered, headers: Record<string, string>): Promise<string> {
  const res = await call('/v1/listings', { method: 'POST', token: seller.token, json: { ...auctionBody, auction: { ...auctionBody.auction, endsAt: endsAt() } }, headers })
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

const bid = (bidder: Registered, listingId: string, amount: number, headers: Record<string, string>) =>
  call(`/v1/listings/${listingId}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: { amount, currency: 'USD' } }, headers })

describe('shill bidding', () => {
  it('blocks a bid from the seller’s device, flags one from the seller’s address, and lets a stranger’s through', async () => {
    const staff = await useRules([
      rule({ id: 'shill_same_device', action: 'bid', verdict: 'block', all: [{ signal: 'shares_device_with_seller', op: 'eq', value: true }] }),
      rule({ id: 'shill_same_address', action: 'bid', verdict: 'review', all: [{ signal: 'shares_ip_with_seller', op: 'eq', value: true }] }),
    ])
    const seller = await register('shill-seller')
    const listingId = await auctionBy(seller, from('203.0.113.50', 'sellers-phone'))

    const sock = await register('shill-sock')
    const blocked = await bid(sock, listingId, 1500, from('198.51.100.9', 'sellers-phone'))
    expect(blocked.status).toBe(403)
    const refusal = await json(blocked)
    expect(refusal).toMatchObject({ code: 'risk_blocked' })
    // The rule that caught it stays with staff.
    expect(refusal).not.toHaveProperty('reasons')
    expect((await json<{ data: unknown[] }>(await call(`/v1/listings/${listingId}/bids`))).data).toEqual([])

    const housemate = await register('shill-housemate')
    const flagged = await bid(housemate, listingId, 1500, from('203.0.113.50', 'their-laptop'))
    expect(flagged.status).toBe(201)
    const bidId = (await json<{ bid: { id: string } }>(flagged)).bid.id
    const reviews = await eventually(() => reviewsOf(staff, 'bid', bidId), (r) => r.length === 1)
    expect(reviews[0]).toMatchObject({ status: 'open', reasons: ['shill_same_address: shill same address'] })

    const stranger = await register('shill-stranger')
    const fine = await bid(stranger, listingId, 2500, from('192.0.2.44', 'stranger-phone'))
    expect(fine.status).toBe(201)
    const strangerBid = (await json<{ bid: { id: string } }>(fine)).bid.id
    // The flag above arrived through the same queue; none comes for this one.
    await new Promise((r) => setTimeout(r, 300))
    expect(await reviewsOf(staff, 'bid', strangerBid)).toEqual([])
  })
})

describe('registration, listings and payouts', () => {
  it('refuses registrations from an address past the rule’s count, with nothing written, and not from elsewhere', async () => {
    await useRules([rule({ id: 'registration_burst', action: 'registration', verdict: 'block', all: [{ signal: 'ip_registrations_1h', op: 'gte', value: 2 }] })])
    // Every attempt sends the same X-Request-Id, as a bot hoping to be counted once would.
    const attempt = async (ip: string) =>
      (await call('/v1/auth/register', { method: 'POST', json: { email: uniqueEmail('burst'), password: PASSWORD, displayName: 'Burst' }, headers: { ...from(ip), 'x-request-id': 'same-request-id-0001' } })).status
    const answers = [await attempt('203.0.113.60'), await attempt('203.0.113.60'), await attempt('203.0.113.60')]
    expect(answers).toEqual([201, 201, 403])
    expect((await env.DB.prepare('SELECT count(*) AS n FROM users WHERE display_name = ?').bind('Burst').first<{ n: number }>())?.n).toBe(2)
    expect(await attempt('198.51.100.60')).toBe(201)
  })

  it('flags a listing the rules send to review, and blocks one they block', async () => {
    const staff = await useRules([
      rule({ id: 'pricey_listing', action: 'listing', verdict: 'review', all: [{ signal: 'price', op: 'gte', value: 100_000 }] }),
      rule({ id: 'absurd_listing', action: 'listing', verdict: 'block', all: [{ signal: 'price', op: 'gte', value: 10_000_000 }] }),
    ])
    const seller = await register('risk-lister')
    const body = (amount: number) => ({ title: 'Vase', description: 'Ming, allegedly', category: 'art', format: 'fixed_price', price: { amount, currency: 'USD' }, quantity: 1, acceptsOffers: false })
    const flagged = await call('/v1/listings', { method: 'POST', token: seller.token, json: body(250_000) })
    expect(flagged.status).toBe(201)
    const id = (await json<{ id: string }>(flagged)).id
    expect((await eventually(() => reviewsOf(staff, 'listing', id), (r) => r.length === 1))[0]).toMatchObject({ reasons: ['pricey_listing: pricey listing'] })
    const blocked = await call('/v1/listings', { method: 'POST', token: seller.token, json: body(20_000_000) })
    expect(blocked.status).toBe(403)
    expect(await json(blocked)).toMatchObject({ code: 'risk_blocked' })
  })

  it('refuses a payout the rules block before anything is recorded', async () => {
    await useRules([rule({ id: 'no_payouts', action: 'payout', verdict: 'block', all: [{ signal: 'amount', op: 'gte', value: 1 }] })])
    const seller = await register('risk-payee')
    await verifySeller(seller)
    const ask = () => call('/v1/me/payouts', { method: 'POST', token: seller.token, json: { amount: { amount: 500, currency: 'USD' } }, headers: { 'Idempotency-Key': crypto.randomUUID() } })
    const blocked = await ask()
    expect(blocked.status).toBe(403)
    expect(await json(blocked)).toMatchObject({ code: 'risk_blocked' })
    expect((await env.DB.prepare('SELECT count(*) AS n FROM payouts WHERE seller_id = ?').bind(seller.user.id).first<{ n: number }>())?.n).toBe(0)
    // Without the rule the same payout gets as far as the balance (there is none).
    await useRules([])
    expect((await ask()).status).toBe(409)
  })

  describe('a payout held for review', () => {
    type Payouts = { data: { id: string; status: string }[] }
    const payoutStatus = async (u: Registered, id: string) => (await json<Payouts>(await call('/v1/me/payouts', { token: u.token }))).data.find((p) => p.id === id)?.status
    const available = async (u: Registered) => (await json<{ available: { amount: number }[] }>(await call('/v1/me/balance', { token: u.token }))).available[0]?.amount ?? 0

    async function heldPayout() {
      const seller = await sellerWithEarnings()
      const staff = await useRules([rule({ id: 'every_payout', action: 'payout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 1 }] })])
      const before = await available(seller)
      const res = await call('/v1/me/payouts', { method: 'POST', token: seller.token, json: { amount: { amount: 4_000, currency: 'USD' } }, headers: { 'Idempotency-Key': crypto.randomUUID() } })
      expect(res.status).toBe(201)
      const id = (await json<{ id: string }>(res)).id
      const [review] = await reviewsOf(staff, 'payout', id)
      expect(review).toMatchObject({ status: 'open', reasons: ['every_payout: every payout'] })
      return { seller, staff, id, before, reviewId: (review as unknown as { id: string }).id }
    }

    it('is recorded but not transferred, and the sweep leaves it alone, until staff approve; then it is paid', async () => {
      const { seller, staff, id, reviewId } = await heldPayout()
      await new Promise((r) => setTimeout(r, 500))
      expect(await payoutStatus(seller, id)).toBe('pending')
      expect((await pendingPayoutsBefore(database(env.DB), new Date(Date.now() + 3_600_000).toISOString(), 1000)).map((p) => p.id)).not.toContain(id)
      expect((await call(`/v1/admin/risk/reviews/${reviewId}/approve`, { method: 'POST', token: staff.token })).status).toBe(200)
      await eventually(() => payoutStatus(seller, id), (s) => s === 'paid')
    })

    it('fails on rejection, with its money back in the available balance, once', async () => {
      const { seller, staff, id, reviewId, before } = await heldPayout()
      expect(await available(seller)).toBe(before - 4_000)
      expect((await call(`/v1/admin/risk/reviews/${reviewId}/reject`, { method: 'POST', token: staff.token })).status).toBe(200)
      expect(await payoutStatus(seller, id)).toBe('failed')
      expect(await available(seller)).toBe(before)
      expect((await call(`/v1/admin/risk/reviews/${reviewId}/reject`, { method: 'POST', token: staff.token })).status).toBe(409)
      expect(await available(seller)).toBe(before)
    })
  })
})
