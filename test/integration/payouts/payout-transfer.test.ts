import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { database } from '../../../src/db/client'
import { verifyLedger } from '../../../src/ledger/ledger-store'
import { recordPayout } from '../../../src/ledger/payout-store'
import worker from '../../../src/index'
import { payoutPorts } from '../../../src/payouts/payout-adapters'
import { transferPayout } from '../../../src/payouts/payout-transfer'
import { sandboxPayoutStub } from '../../../src/payouts/sandbox-payout-client'
import { newId } from '../../../src/platform/runtime'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { eventually } from '../checkout/checkout-fixtures'
import { sellerWithEarnings } from '../support/earnings'

type Payout = { id: string; amount: { amount: number; currency: string }; status: string }
type Balance = { available: { amount: number; currency: string }[] }

const available = async (u: Registered) => (await json<Balance>(await call('/v1/me/balance', { token: u.token }))).available.find((b) => b.currency === 'USD')?.amount ?? 0
const requestPayout = (u: Registered, amount: number, key = crypto.randomUUID()) =>
  call('/v1/me/payouts', { method: 'POST', token: u.token, headers: { 'idempotency-key': key }, json: { amount: { amount, currency: 'USD' } } })
const payoutOf = async (u: Registered, id: string) => (await json<{ data: Payout[] }>(await call('/v1/me/payouts', { token: u.token }))).data.find((p) => p.id === id)
const reversals = async (payoutId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM ledger_transactions WHERE payout_id = ? AND kind = 'payout_reversal'").bind(payoutId).first<{ n: number }>())?.n ?? 0
const audits = async (payoutId: string, action: string) => (await auditLogStub(env).list({ subjectId: payoutId, action, limit: 20 })).length

/** Records a payout as the route does, without queueing its job: the test runs the job itself. */
async function recorded(seller: Registered, amount: number): Promise<string> {
  const now = new Date()
  const id = newId('pyo', now)
  const ok = await recordPayout(database(env.DB), { id, sellerId: seller.user.id, amount, currency: 'USD', status: 'pending', createdAt: now.toISOString() }, newId('txn', now))
  if (!ok) throw new Error('balance did not cover the payout')
  return id
}

/** Delivers the payout's job to the real jobs consumer as a queue would (attempt `attempts`), and says what it did with it. */
async function deliver(payoutId: string, attempts = 1): Promise<'acked' | 'retried'> {
  const batch = createMessageBatch('souk-jobs', [{ id: `job-${payoutId}-${attempts}`, timestamp: new Date(), attempts, body: { kind: 'payout', payoutId } }])
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  const result = await getQueueResult(batch, ctx)
  if (result.retryMessages.length === 1) return 'retried'
  expect(result.explicitAcks).toEqual([`job-${payoutId}-${attempts}`])
  return 'acked'
}

describe('payouts that finish', () => {
  it('pays a payout through its job: paid in the list, the balance spent once, one transfer at the provider, audited', async () => {
    const seller = await sellerWithEarnings()
    expect(await available(seller)).toBe(9000)
    const res = await requestPayout(seller, 4000)
    expect(res.status).toBe(201)
    const { id, status } = await json<Payout>(res)
    expect(status).toBe('pending')
    await eventually(() => payoutOf(seller, id), (p) => p?.status === 'paid')
    expect(await available(seller)).toBe(5000)
    expect(await sandboxPayoutStub(env, id).record()).toMatchObject({ status: 'paid', amount: 4000, transfers: 1 })
    expect(await env.DB.prepare('SELECT transfer_reference FROM payouts WHERE id = ?').bind(id).first<{ transfer_reference: string }>()).toEqual({ transfer_reference: expect.stringMatching(/^tr_sandbox_/) })
    expect(await audits(id, 'payout.paid')).toBe(1)
    // Redelivered afterwards: acknowledged, nothing asked of the provider, nothing changed.
    const before = await sandboxPayoutStub(env, id).record()
    expect(await deliver(id, 2)).toBe('acked')
    expect(await sandboxPayoutStub(env, id).record()).toEqual(before)
    expect(await reversals(id)).toBe(0)
  })

  it('fails a declined payout and puts the money back in the available balance exactly once, however often the job is delivered', async () => {
    const seller = await sellerWithEarnings()
    const res = await requestPayout(seller, 1013) // the sandbox refuses amounts ending in 13 (account_closed)
    const { id } = await json<Payout>(res)
    await eventually(() => payoutOf(seller, id), (p) => p?.status === 'failed')
    expect(await available(seller)).toBe(9000)
    expect(await reversals(id)).toBe(1)
    for (const attempt of [2, 3, 4]) expect(await deliver(id, attempt)).toBe('acked')
    await Promise.all([transferPayout(payoutPorts(env), id), transferPayout(payoutPorts(env), id)])
    expect(await reversals(id)).toBe(1)
    expect(await available(seller)).toBe(9000)
    expect(await audits(id, 'payout.failed')).toBe(1)
    expect(await env.DB.prepare('SELECT failure_code FROM payouts WHERE id = ?').bind(id).first()).toEqual({ failure_code: 'account_closed' })
    // The money is really back: it pays out again.
    const again = await requestPayout(seller, 9000)
    expect(again.status).toBe(201)
    const ledger = await verifyLedger(env.DB)
    expect(ledger.checks.filter((c) => !c.ok)).toEqual([])
  })

  it('reverses once when runs of the job race on a declined payout', async () => {
    const seller = await sellerWithEarnings()
    const id = await recorded(seller, 2013)
    expect(await available(seller)).toBe(9000 - 2013)
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => transferPayout(payoutPorts(env), id)))
    expect(outcomes).toEqual(Array(6).fill('done'))
    expect(await reversals(id)).toBe(1)
    expect(await available(seller)).toBe(9000)
    expect(await audits(id, 'payout.failed')).toBe(1)
    expect((await sandboxPayoutStub(env, id).record())?.status).toBe('failed')
  })

  it('pays once when runs race on a payout that succeeds', async () => {
    const seller = await sellerWithEarnings()
    const id = await recorded(seller, 3000)
    await Promise.all(Array.from({ length: 6 }, () => transferPayout(payoutPorts(env), id)))
    expect(await payoutOf(seller, id)).toMatchObject({ status: 'paid' })
    expect(await sandboxPayoutStub(env, id).record()).toMatchObject({ transfers: 1 })
    expect(await audits(id, 'payout.paid')).toBe(1)
    expect(await available(seller)).toBe(6000)
  })

  it('retries the job while the provider answers 5xx, never failing the payout, then pays it', async () => {
    const seller = await sellerWithEarnings()
    const id = await recorded(seller, 1503) // the sandbox answers 500 twice, then pays
    expect(await deliver(id, 1)).toBe('retried')
    expect(await payoutOf(seller, id)).toMatchObject({ status: 'pending' })
    expect(await deliver(id, 2)).toBe('retried')
    expect(await reversals(id)).toBe(0)
    expect(await deliver(id, 3)).toBe('acked')
    expect(await payoutOf(seller, id)).toMatchObject({ status: 'paid' })
    expect(await sandboxPayoutStub(env, id).record()).toMatchObject({ attempts: 3, transfers: 1 })
    expect(await available(seller)).toBe(9000 - 1503)
  })

  it('asks again after a timeout whose transfer went through, and pays with the same transfer', async () => {
    const seller = await sellerWithEarnings()
    const id = await recorded(seller, 1504) // the first transfer goes through, its answer is lost
    expect(await deliver(id, 1)).toBe('retried')
    const record = await sandboxPayoutStub(env, id).record()
    expect(record).toMatchObject({ status: 'paid', transfers: 1 })
    expect(await payoutOf(seller, id)).toMatchObject({ status: 'pending' })
    expect(await deliver(id, 2)).toBe('acked')
    expect(await env.DB.prepare('SELECT status, transfer_reference FROM payouts WHERE id = ?').bind(id).first()).toEqual({ status: 'paid', transfer_reference: record?.reference })
    expect(await sandboxPayoutStub(env, id).record()).toMatchObject({ transfers: 1 })
  })

  it('keeps a payout pending (never failed) while the provider keeps failing transiently', async () => {
    const seller = await sellerWithEarnings()
    const id = await recorded(seller, 1599) // 5xx every time
    for (const attempt of [1, 2, 3, 4]) expect(await deliver(id, attempt)).toBe('retried')
    expect(await payoutOf(seller, id)).toMatchObject({ status: 'pending' })
    expect(await reversals(id)).toBe(0)
    expect(await available(seller)).toBe(9000 - 1599)
  })
})

describe('GET /v1/admin/payouts', () => {
  it('lists every seller’s payouts to admins, by status, page by page; refuses others and bad queries with 4xx', async () => {
    const seller = await sellerWithEarnings()
    const failing = await requestPayout(seller, 1013)
    const { id: failedId } = await json<Payout>(failing)
    await eventually(() => payoutOf(seller, failedId), (p) => p?.status === 'failed')
    const paid = await json<Payout>(await requestPayout(seller, 2000))
    await eventually(() => payoutOf(seller, paid.id), (p) => p?.status === 'paid')

    const admin = await register('payout-admin')
    await makeStaff(admin.user.id, 'admin')
    const support = await register('payout-support')
    await makeStaff(support.user.id, 'support')
    expect((await call('/v1/admin/payouts')).status).toBe(401)
    expect((await call('/v1/admin/payouts', { token: seller.token })).status).toBe(403)
    expect((await call('/v1/admin/payouts', { token: support.token })).status).toBe(403)
    for (const query of ['status=lost', 'limit=0', 'limit=101', 'cursor=%21%21']) {
      const res = await call(`/v1/admin/payouts?${query}`, { token: admin.token })
      expect(res.status, query).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'validation_failed' })
    }
    type Listed = { id: string; sellerId: string; status: string; failureCode: string | null; transferReference: string | null }
    const failed = await json<{ data: Listed[] }>(await call('/v1/admin/payouts?status=failed&limit=100', { token: admin.token }))
    expect(failed.data.every((p) => p.status === 'failed')).toBe(true)
    expect(failed.data.find((p) => p.id === failedId)).toMatchObject({ sellerId: seller.user.id, failureCode: 'account_closed', transferReference: null })
    const first = await json<{ data: Listed[]; nextCursor: string | null }>(await call('/v1/admin/payouts?limit=1', { token: admin.token }))
    expect(first.data).toHaveLength(1)
    const second = await json<{ data: Listed[] }>(await call(`/v1/admin/payouts?limit=1&cursor=${first.nextCursor}`, { token: admin.token }))
    expect(second.data[0]!.id < first.data[0]!.id).toBe(true)
  })
})
