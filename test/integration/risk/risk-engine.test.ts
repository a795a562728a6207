import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../../src/index'
import { accountStub } from '../../../src/accounts/account-adapters'
import type { AccountObject } from '../../../src/accounts/account-object'
import { codeAt, PERIOD_SECONDS } from '../../../src/accounts/totp'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { forgetPolicy } from '../../../src/risk/risk-policy-adapters'
import type { RiskRule } from '../../../src/risk/risk-rules'
import { riskSignalsStub } from '../../../src/risk/risk-signals-object'
import { countEvents, type SignalEvent, type SignalLog } from '../../../src/risk/signal-log'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { chargeOf, checkout, checkoutBody, fixedListing, order } from '../checkout/checkout-fixtures'

/**
 * The risk engine through the API: rules saved as versioned data and run at checkout in Radar's
 * order, the review queue (approve captures, reject voids, a second decision changes nothing),
 * velocity per address kept in its shard, and the IP blocklist refused at the edge.
 */

async function admin(label = 'risk-admin'): Promise<Registered> {
  const who = await register(label)
  await makeStaff(who.user.id, 'admin')
  return who
}

const rulesOf = async (token: string) => {
  const res = await call('/v1/admin/risk/rules', { token })
  expect(res.status).toBe(200)
  return { etag: res.headers.get('etag') ?? '', body: await json<{ version: number; rules: RiskRule[] }>(res) }
}

const putRules = (token: string, rules: unknown, ifMatch: string | null) =>
  call('/v1/admin/risk/rules', { method: 'PUT', token, json: { rules }, headers: ifMatch === null ? {} : { 'If-Match': ifMatch } })

/** Saves `rules` in place of whatever is in force (the next test starts from its own). */
async function useRules(staff: Registered, rules: RiskRule[]): Promise<void> {
  const res = await putRules(staff.token, rules, '*')
  expect(res.status).toBe(200)
}

const rule = (over: Partial<RiskRule> & Pick<RiskRule, 'id' | 'verdict' | 'all'>): RiskRule => ({ action: 'checkout', any: [], reason: over.id.replaceAll('_', ' '), enabled: true, ...over })
const bigOrder = (verdict: RiskRule['verdict']) => rule({ id: `big_order_${verdict}`, verdict, all: [{ signal: 'amount', op: 'gte', value: 9_000 }] })

afterEach(() => forgetPolicy())

describe('risk rules as versioned data', () => {
  it('serves the rules with their version as ETag, saves a new version only with a matching If-Match, and audits it', async () => {
    const staff = await admin()
    const before = await rulesOf(staff.token)
    expect(before.etag).toBe(`"${before.body.version}"`)

    expect((await putRules(staff.token, [bigOrder('block')], null)).status).toBe(428)
    const invalid = await putRules(staff.token, [rule({ id: 'x', verdict: 'block', all: [{ signal: 'shares_ip_with_seller', op: 'eq', value: true }] })], before.etag)
    expect(invalid.status).toBe(422)
    expect(await json(invalid)).toMatchObject({ code: 'risk_rules_invalid', problems: ['x: checkout has no signal shares_ip_with_seller'] })
    expect((await putRules(staff.token, [{ ...bigOrder('block'), extra: 1 }], before.etag)).status).toBe(400)
    expect((await rulesOf(staff.token)).body.version).toBe(before.body.version)

    const saved = await putRules(staff.token, [bigOrder('block')], before.etag)
    expect(saved.status).toBe(200)
    expect(saved.headers.get('etag')).toBe(`"${before.body.version + 1}"`)
    expect(await json(saved)).toMatchObject({ version: before.body.version + 1, rules: [bigOrder('block')], savedBy: staff.user.id })
    // Another editor who read the old version is refused, not silently overwritten.
    expect((await putRules(staff.token, [bigOrder('review')], before.etag)).status).toBe(412)

    const versions = await json<{ data: { version: number; savedBy: string }[] }>(await call('/v1/admin/risk/rules/versions', { token: staff.token }))
    expect(versions.data[0]).toMatchObject({ version: before.body.version + 1, savedBy: staff.user.id })
    const entries = await auditLogStub(env).list({ limit: 5, action: 'risk.rules_changed' })
    expect(entries[0]).toMatchObject({ actorId: staff.user.id, details: { version: before.body.version + 1 } })
  })

  it('is for admins: support and buyers get 403, and nothing changes', async () => {
    const support = await register('risk-support')
    await makeStaff(support.user.id, 'support')
    const buyer = await register('risk-buyer')
    for (const who of [support, buyer]) {
      expect((await call('/v1/admin/risk/rules', { token: who.token })).status).toBe(403)
      expect((await putRules(who.token, [bigOrder('block')], '*')).status).toBe(403)
    }
    // Support works the review queue, though.
    expect((await call('/v1/admin/risk/reviews', { token: support.token })).status).toBe(200)
    expect((await call('/v1/admin/risk/reviews', { token: buyer.token })).status).toBe(403)
  })
})

describe('checkout under the rules', () => {
  it('blocks: 403 risk_blocked with the rule’s reason, nothing charged, the unit back on sale', async () => {
    const staff = await admin()
    await useRules(staff, [bigOrder('block')])
    const seller = await register('seller')
    const listing = await fixedListing(seller, { price: 10_000 })
    const buyer = await register('buyer')
    const key = crypto.randomUUID()

    const res = await checkout(buyer, checkoutBody(listing.id), key)
    expect(res.status).toBe(403)
    expect(await json(res)).toMatchObject({ code: 'risk_blocked' })
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE buyer_id = ?').bind(buyer.user.id).first<{ n: number }>())?.n).toBe(0)

    // The same order under a smaller rule set goes through: the block was the rule, not the listing.
    await useRules(staff, [])
    // …but the blocked checkout itself is over: its holds went back, and a retry with its key is told to start anew.
    const retried = await checkout(buyer, checkoutBody(listing.id), key)
    expect(retried.status).toBe(409)
    expect(await json(retried)).toMatchObject({ code: 'checkout_cancelled' })
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    const other = await register('buyer')
    expect((await checkout(other, checkoutBody(listing.id))).status).toBe(201)
  })

  it('turns a challenge nobody can answer (no TOTP on the account) into a review rather than a dead end', async () => {
    const staff = await admin()
    await useRules(staff, [bigOrder('challenge')])
    const seller = await register('seller')
    const listing = await fixedListing(seller, { price: 10_000 })
    const buyer = await register('buyer')
    const res = await checkout(buyer, checkoutBody(listing.id))
    expect(res.status).toBe(202)
    expect(await json(res)).toMatchObject({ status: 'pending_review' })
  })

  it('challenges a buyer with TOTP: 401 with the unit still held, then the retry with the same key and a code is paid', async () => {
    const staff = await admin()
    await useRules(staff, [bigOrder('challenge')])
    const seller = await register('seller')
    const listing = await fixedListing(seller, { price: 10_000 })
    const buyer = await register('buyer')
    const { secret } = await json<{ secret: string }>(await call('/v1/me/mfa/totp', { method: 'POST', token: buyer.token }))
    const account = accountStub(env, buyer.user.id)
    const clock = () => runInDurableObject(account, (o: AccountObject) => o.now().getTime())
    expect((await call('/v1/me/mfa/totp/verify', { method: 'POST', token: buyer.token, json: { code: codeAt(secret, await clock()) } })).status).toBe(200)
    await runInDurableObject(account, (o: AccountObject) => {
      const at = o.now().getTime() + PERIOD_SECONDS * 1000
      o.now = () => new Date(at)
    })
    const key = crypto.randomUUID()
    const challenged = await checkout(buyer, checkoutBody(listing.id), key)
    expect(challenged.status).toBe(401)
    expect(await json(challenged)).toMatchObject({ code: 'mfa_required' })
    expect(await listing.stub.view()).toMatchObject({ available: 0 })
    const answered = await checkout(buyer, checkoutBody(listing.id), key, { 'X-MFA-Code': codeAt(secret, await clock()) })
    expect(answered.status).toBe(201)
    expect(await json(answered)).toMatchObject({ status: 'paid' })
  })

  it('counts the buyers of one card in the card’s shard: the third account on the same card is refused', async () => {
    const staff = await admin()
    await useRules(staff, [rule({ id: 'card_many_buyers', verdict: 'block', all: [{ signal: 'card_buyers_24h', op: 'gte', value: 3 }] })])
    const seller = await register('seller')
    // A payment method no other test uses (the sandbox declines it at the charge, after the rules).
    const card = `pm_card_${crypto.randomUUID().replaceAll('-', '')}`
    const answers: number[] = []
    for (let i = 0; i < 3; i++) answers.push((await checkout(await register('buyer'), checkoutBody((await fixedListing(seller)).id, card))).status)
    expect(answers).toEqual([402, 402, 403])
  })

  it('counts checkouts per address in the address’s shard, across buyers', async () => {
    const staff = await admin()
    await useRules(staff, [rule({ id: 'busy_address', verdict: 'block', all: [{ signal: 'ip_checkouts_1h', op: 'gte', value: 2 }] })])
    const seller = await register('seller')
    const from = (ip: string) => ({ 'cf-connecting-ip': ip })
    const answers: number[] = []
    for (let i = 0; i < 3; i++) {
      const listing = await fixedListing(seller)
      answers.push((await checkout(await register('buyer'), checkoutBody(listing.id), crypto.randomUUID(), from('203.0.113.77'))).status)
    }
    expect(answers).toEqual([201, 201, 403])
    const elsewhere = await fixedListing(seller)
    expect((await checkout(await register('buyer'), checkoutBody(elsewhere.id), crypto.randomUUID(), from('198.51.100.23'))).status).toBe(201)
  })
})

describe('the review queue', () => {
  async function heldOrder(staff: Registered) {
    await useRules(staff, [bigOrder('review')])
    const seller = await register('seller')
    const listing = await fixedListing(seller, { price: 10_000 })
    const buyer = await register('buyer')
    const res = await checkout(buyer, checkoutBody(listing.id))
    expect(res.status).toBe(202)
    const held = await json<{ id: string; status: string }>(res)
    expect(held.status).toBe('pending_review')
    const list = await json<{ data: { id: string; subjectId: string; kind: string; status: string; reasons: string[]; score: number }[] }>(
      await call('/v1/admin/risk/reviews?status=open&kind=order', { token: staff.token }),
    )
    const review = list.data.find((r) => r.subjectId === held.id)
    expect(review).toMatchObject({ kind: 'order', status: 'open', reasons: ['big_order_review: big order review'] })
    return { listing, buyer, orderId: held.id, reviewId: review?.id ?? '' }
  }

  it('holds the order with its payment authorized, not captured, and nothing in the ledger', async () => {
    const staff = await admin()
    const { orderId, listing } = await heldOrder(staff)
    expect(await chargeOf(orderId)).toMatchObject({ status: 'authorized', captures: 0 })
    expect((await env.DB.prepare('SELECT count(*) AS n FROM ledger_transactions WHERE order_id = ?').bind(orderId).first<{ n: number }>())?.n).toBe(0)
    expect((await env.DB.prepare('SELECT count(*) AS n FROM payments WHERE order_id = ?').bind(orderId).first<{ n: number }>())?.n).toBe(0)
    expect(await listing.stub.view()).toMatchObject({ available: 0 })
  })

  it('approve captures once and pays the order; approving again, even five at once, changes nothing', async () => {
    const staff = await admin()
    const { orderId, reviewId, buyer } = await heldOrder(staff)
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(`/v1/admin/risk/reviews/${reviewId}/approve`, { method: 'POST', token: staff.token })))
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([200, 409, 409, 409, 409])
    const winner = answers.find((r) => r.status === 200)
    expect(await json(winner as Response)).toMatchObject({ review: { id: reviewId, status: 'approved', decidedBy: staff.user.id }, orderStatus: 'paid' })
    expect(await chargeOf(orderId)).toMatchObject({ status: 'captured', captures: 1 })
    const paid = await order(buyer.token, orderId)
    expect(paid.status).toBe('paid')
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'pending_review', 'paid'])
    expect((await call(`/v1/admin/risk/reviews/${reviewId}/reject`, { method: 'POST', token: staff.token })).status).toBe(409)
    expect((await auditLogStub(env).list({ limit: 5, action: 'risk.review_approved', subjectId: orderId })).length).toBe(1)
  })

  it('reject voids the authorization, cancels the order and puts the unit back on sale', async () => {
    const staff = await admin()
    const { orderId, reviewId, buyer, listing } = await heldOrder(staff)
    const res = await call(`/v1/admin/risk/reviews/${reviewId}/reject`, { method: 'POST', token: staff.token })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ orderStatus: 'cancelled', review: { status: 'rejected' } })
    expect((await order(buyer.token, orderId)).status).toBe('cancelled')
    expect(await chargeOf(orderId)).toMatchObject({ status: 'refunded', captures: 0 })
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    expect((await call(`/v1/admin/risk/reviews/${reviewId}/approve`, { method: 'POST', token: staff.token })).status).toBe(409)
  })

  it('rejects an order nobody decided once its hold runs out: the authorization voided, the unit back, the review closed by the system', async () => {
    const staff = await admin()
    const { orderId, reviewId, buyer, listing } = await heldOrder(staff)
    const paymentRef = (await env.DB.prepare('SELECT payment_ref AS ref FROM risk_reviews WHERE id = ?').bind(reviewId).first<{ ref: string }>())?.ref ?? ''
    expect(paymentRef).not.toBe('')
    const deliver = async (dueAt: string) => {
      const batch = createMessageBatch('souk-jobs', [{ id: `expiry-${dueAt}`, timestamp: new Date(), attempts: 1, body: { kind: 'review_expiry', orderId, dueAt, paymentRef } }])
      const ctx = createExecutionContext()
      await worker.queue(batch, env, ctx)
      return getQueueResult(batch, ctx)
    }
    // Not due yet: nothing changes (the job waits on).
    expect((await deliver(new Date(Date.now() + 3_600_000).toISOString())).explicitAcks).toHaveLength(1)
    expect((await order(buyer.token, orderId)).status).toBe('pending_review')
    // Due: rejected by the system.
    expect((await deliver(new Date(Date.now() - 1000).toISOString())).explicitAcks).toHaveLength(1)
    expect((await order(buyer.token, orderId)).status).toBe('cancelled')
    expect(await chargeOf(orderId)).toMatchObject({ status: 'refunded', captures: 0 })
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    const [review] = (await json<{ data: { id: string; status: string; decidedBy: string }[] }>(await call('/v1/admin/risk/reviews?kind=order&limit=100', { token: staff.token }))).data.filter((r) => r.id === reviewId)
    expect(review).toMatchObject({ status: 'rejected', decidedBy: 'system' })
    // Staff who come too late are told it was decided.
    expect((await call(`/v1/admin/risk/reviews/${reviewId}/approve`, { method: 'POST', token: staff.token })).status).toBe(409)
  })

  it('lets nobody decide their own review', async () => {
    const staff = await admin()
    await useRules(staff, [bigOrder('review')])
    const seller = await register('seller')
    const listing = await fixedListing(seller, { price: 10_000 })
    const res = await checkout(staff, checkoutBody(listing.id))
    expect(res.status).toBe(202)
    const orderId = (await json<{ id: string }>(res)).id
    const mine = (await json<{ data: { id: string; subjectId: string }[] }>(await call('/v1/admin/risk/reviews?kind=order&limit=100', { token: staff.token }))).data.find((r) => r.subjectId === orderId)
    const refused = await call(`/v1/admin/risk/reviews/${mine?.id ?? ''}/approve`, { method: 'POST', token: staff.token })
    expect(refused.status).toBe(403)
    expect(await chargeOf(orderId)).toMatchObject({ captures: 0 })
    const colleague = await admin('risk-colleague')
    expect((await call(`/v1/admin/risk/reviews/${mine?.id ?? ''}/approve`, { method: 'POST', token: colleague.token })).status).toBe(200)
  })

  it('answers 404 for an unknown review and 400 for a malformed id', async () => {
    const staff = await admin()
    expect((await call('/v1/admin/risk/reviews/rsk_01m9c4d6f8h0k2m4p6r8t0v2x4/approve', { method: 'POST', token: staff.token })).status).toBe(404)
    expect((await call('/v1/admin/risk/reviews/nope/approve', { method: 'POST', token: staff.token })).status).toBe(400)
    expect((await call('/v1/admin/risk/reviews?cursor=not-a-cursor', { token: staff.token })).status).toBe(400)
  })
})

describe('the IP blocklist', () => {
  it('refuses requests from an imported range at the edge, before authentication, and no others', async () => {
    const staff = await admin()
    const as = (ip: string) => ({ 'cf-connecting-ip': ip })
    const invalid = await call('/v1/admin/risk/blocklist', { method: 'POST', token: staff.token, json: { cidrs: ['203.0.113.0/24', '10.0.0.1/8', 'nope'] } })
    expect(invalid.status).toBe(422)
    expect(await json(invalid)).toMatchObject({ invalid: ['10.0.0.1/8', 'nope'] })
    const mine = await call('/v1/admin/risk/blocklist', { method: 'POST', token: staff.token, json: { cidrs: ['198.51.100.0/24'] }, headers: as('198.51.100.5') })
    expect(mine.status).toBe(422)
    expect(await json(mine)).toMatchObject({ code: 'blocks_yourself' })
    expect((await json<{ cidrs: string[] }>(await call('/v1/admin/risk/blocklist', { token: staff.token }))).cidrs).toEqual([])

    const saved = await call('/v1/admin/risk/blocklist', { method: 'POST', token: staff.token, json: { cidrs: ['203.0.113.0/24', '2001:db8::/32'] } })
    expect(saved.status).toBe(200)
    expect(await json(saved)).toMatchObject({ cidrs: ['203.0.113.0/24', '2001:db8:0:0:0:0:0:0/32'], savedBy: staff.user.id })

    const refused = await call('/v1/listings', { headers: as('203.0.113.9') })
    expect(refused.status).toBe(403)
    expect(await json(refused)).toMatchObject({ code: 'ip_blocked' })
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: 'a@example.com', password: 'x' }, headers: as('2001:db8:1::7') })).status).toBe(403)
    expect((await call('/v1/listings', { headers: as('203.0.114.9') })).status).toBe(200)

    await call('/v1/admin/risk/blocklist', { method: 'POST', token: staff.token, json: { cidrs: ['192.0.2.255/32'], mode: 'replace' } })
    expect((await call('/v1/listings', { headers: as('203.0.113.9') })).status).toBe(200)
    expect((await auditLogStub(env).list({ limit: 5, action: 'risk.blocklist_changed' })).length).toBeGreaterThanOrEqual(2)
  })
})

describe('a signal shard', () => {
  it('counts exactly as the pure log does, for any sequence of events (property)', async () => {
    const eventArb = fc.record({ kind: fc.constantFrom('checkout' as const, 'registration' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), subject: fc.constantFrom('u1', 'u2', 'u3'), gapMs: fc.integer({ min: 0, max: 6 * 3_600_000 }) })
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 12 }), async (events) => {
        const shard = riskSignalsStub(env, `test:${crypto.randomUUID()}`)
        let log: SignalLog = []
        let now = Date.parse('2026-06-01T00:00:00Z')
        for (const e of events) {
          now += e.gapMs
          const event: SignalEvent = { kind: e.kind, id: e.id, subject: e.subject }
          const expected = countEvents(log, event, now)
          log = expected.log
          expect(await shard.observe(event, now)).toEqual(expected.counts)
        }
      }),
      { numRuns: 25 },
    )
  })
})
