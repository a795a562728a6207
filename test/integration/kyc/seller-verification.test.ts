import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { settingsOf } from '../../../src/config'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { call, countRows, json, register, type Registered } from '../support/api'
import { verificationStatus, verifySeller } from '../support/kyc'

type Verification = { status: string; url?: string }

const start = (u: Registered) => call('/v1/me/verification', { method: 'POST', token: u.token })
const row = (userId: string) => env.DB.prepare('SELECT status, session_id, attempts, last_error, verified_at FROM seller_verifications WHERE user_id = ?').bind(userId).first<{ status: string; session_id: string | null; attempts: number; last_error: string | null; verified_at: string | null }>()
const payout = (u: Registered, key = crypto.randomUUID()) => call('/v1/me/payouts', { method: 'POST', token: u.token, headers: { 'idempotency-key': key }, json: { amount: { amount: 100, currency: 'USD' } } })
const auditOf = (subjectId: string) => auditLogStub(env).list({ subjectId, limit: 50 })

/** A Stripe Identity event for `sessionId`, signed as Stripe signs it (or with another secret). */
async function identityEvent(userId: string, sessionId: string, type: string, opts: { id?: string; secret?: string; lastError?: string } = {}) {
  const body = JSON.stringify({
    id: opts.id ?? `evt_${crypto.randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type,
    data: { object: { id: sessionId, object: 'identity.verification_session', status: type.split('.').at(-1), last_error: opts.lastError ? { code: opts.lastError } : null, metadata: { user_id: userId } } },
  })
  const signature = await signPayload(opts.secret ?? settingsOf(env).gateway.stripe.webhookSecret, body, Math.floor(Date.now() / 1000))
  return call('/v1/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body })
}

/** A seller with a pending verification whose sandbox outcome will not come (its session is replaced by a test-controlled one). */
async function pendingWithSession(label: string): Promise<{ u: Registered; sessionId: string }> {
  const u = await register(label)
  expect((await start(u)).status).toBe(201)
  const sessionId = `vs_test_${crypto.randomUUID().replaceAll('-', '')}`
  await env.DB.prepare('UPDATE seller_verifications SET session_id = ? WHERE user_id = ?').bind(sessionId, u.user.id).run()
  return { u, sessionId }
}

describe('seller identity verification (KYC)', () => {
  it('refuses a payout before verification with 403 kyc_required and writes nothing; after the sandbox verifies, the payout goes through', async () => {
    const seller = await register('kyc-seller')
    expect(await verificationStatus(seller)).toBe('unverified')
    const [payouts, entries] = [await countRows('payouts'), await countRows('ledger_entries')]
    const refused = await payout(seller)
    expect(refused.status).toBe(403)
    expect(await json(refused)).toMatchObject({ code: 'kyc_required' })
    expect(await countRows('payouts')).toBe(payouts)
    expect(await countRows('ledger_entries')).toBe(entries)

    const started = await start(seller)
    expect(started.status).toBe(201)
    expect(await json<Verification>(started)).toEqual({ status: 'pending' })
    // While pending, another start answers it and starts no second session.
    const session = (await row(seller.user.id))?.session_id
    expect(await json<Verification>(await start(seller))).toEqual({ status: 'pending' })
    expect(await row(seller.user.id)).toMatchObject({ status: 'pending', session_id: session, attempts: 1 })
    expect((await payout(seller)).status).toBe(403)

    await verifySeller(seller)
    expect(await row(seller.user.id)).toMatchObject({ status: 'verified', session_id: session, attempts: 1, verified_at: expect.any(String) })
    // Verified: asking again starts nothing; the public profile says so.
    expect(await json<Verification>(await start(seller))).toEqual({ status: 'verified' })
    expect(await json(await call(`/v1/users/${seller.user.id}`))).toMatchObject({ verifiedSeller: true })
    // Now a payout is judged on the balance (none: 409), no longer refused for KYC.
    const judged = await payout(seller)
    expect(judged.status).toBe(409)
    expect(await json(judged)).toMatchObject({ code: 'insufficient_balance' })
    const actions = (await auditOf(seller.user.id)).map((e) => e.action)
    expect(actions.filter((a) => a === 'kyc.started')).toHaveLength(1)
    expect(actions.filter((a) => a === 'kyc.verified')).toHaveLength(1)
  })

  it('lets the sandbox reject a display name containing "reject", and a new start after it makes a new session', async () => {
    const seller = await register('please-reject-me')
    await verifySeller(seller, 'rejected')
    const first = await row(seller.user.id)
    expect(first).toMatchObject({ status: 'rejected', attempts: 1, last_error: 'document_unverified_other' })
    expect(await json(await call(`/v1/users/${seller.user.id}`))).toMatchObject({ verifiedSeller: false })
    expect((await payout(seller)).status).toBe(403)
    expect(await json<Verification>(await start(seller))).toEqual({ status: 'pending' })
    const second = await row(seller.user.id)
    expect(second).toMatchObject({ status: 'pending', attempts: 2 })
    expect(second?.session_id).not.toBe(first?.session_id)
    expect((await auditOf(seller.user.id)).map((e) => e.action)).toContain('kyc.rejected')
  })

  it('ignores a Stripe Identity event with a bad signature (401, nothing changed), applies a good one, and a redelivery once', async () => {
    const { u, sessionId } = await pendingWithSession('kyc-webhook')
    const receipts = await countRows('webhook_receipts')
    const forged = await identityEvent(u.user.id, sessionId, 'identity.verification_session.verified', { secret: 'whsec_not_the_secret_at_all' })
    expect(forged.status).toBe(401)
    expect(await json(forged)).toMatchObject({ code: 'invalid_signature' })
    expect(await row(u.user.id)).toMatchObject({ status: 'pending', verified_at: null })
    expect(await countRows('webhook_receipts')).toBe(receipts)

    const id = `evt_${crypto.randomUUID().replaceAll('-', '')}`
    const good = await identityEvent(u.user.id, sessionId, 'identity.verification_session.verified', { id })
    expect(good.status).toBe(200)
    expect(await json(good)).toEqual({ received: true, duplicate: false })
    expect(await row(u.user.id)).toMatchObject({ status: 'verified' })
    expect(await json(await identityEvent(u.user.id, sessionId, 'identity.verification_session.verified', { id }))).toEqual({ received: true, duplicate: true })
    // A late requires_input of the same session (another event id) cannot undo it.
    expect((await identityEvent(u.user.id, sessionId, 'identity.verification_session.requires_input', { lastError: 'selfie_face_mismatch' })).status).toBe(200)
    expect(await row(u.user.id)).toMatchObject({ status: 'verified', last_error: null })
    expect((await auditOf(u.user.id)).filter((e) => e.action === 'kyc.verified')).toHaveLength(1)
  })

  it('ignores another session’s outcome, and answers 404 (so Stripe sends it again) for a seller with no verification recorded', async () => {
    const { u, sessionId } = await pendingWithSession('kyc-stale')
    expect((await identityEvent(u.user.id, 'vs_some_older_session', 'identity.verification_session.verified')).status).toBe(200)
    expect(await row(u.user.id)).toMatchObject({ status: 'pending' })
    expect((await identityEvent(u.user.id, sessionId, 'identity.verification_session.canceled')).status).toBe(200)
    expect(await row(u.user.id)).toMatchObject({ status: 'rejected', last_error: 'canceled' })

    const stranger = await register('kyc-none')
    const receipts = await countRows('webhook_receipts')
    const early = await identityEvent(stranger.user.id, 'vs_not_recorded_yet', 'identity.verification_session.verified')
    expect(early.status).toBe(404)
    expect(await countRows('webhook_receipts')).toBe(receipts)
    expect(await verificationStatus(stranger)).toBe('unverified')
  })

  it('answers bad requests with 4xx and changes nothing: no token, an API key, a body that is not an event', async () => {
    expect((await call('/v1/me/verification', { method: 'POST' })).status).toBe(401)
    expect((await call('/v1/me/verification')).status).toBe(401)
    const u = await register('kyc-bad')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token: u.token, json: { name: 'k', scopes: ['account:read'] } }))
    const byKey = await call('/v1/me/verification', { method: 'POST', token: key.key })
    expect(byKey.status).toBe(403)
    expect(await row(u.user.id)).toBeNull()
    const body = 'not json at all'
    const signature = await signPayload(settingsOf(env).gateway.stripe.webhookSecret, body, Math.floor(Date.now() / 1000))
    const malformed = await call('/v1/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body })
    expect(malformed.status).toBe(400)
    // An identity event without a session id or seller is acknowledged and changes nothing.
    const partial = JSON.stringify({ id: 'evt_partial_1', type: 'identity.verification_session.verified', data: { object: { metadata: {} } } })
    const partialSig = await signPayload(settingsOf(env).gateway.stripe.webhookSecret, partial, Math.floor(Date.now() / 1000))
    expect((await call('/v1/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': partialSig }, body: partial })).status).toBe(200)
  })

  it('shows the verification in the export, and erasure removes the provider’s session reference', async () => {
    const seller = await register('kyc-export')
    await verifySeller(seller)
    const exported = await json<{ verification: { status: string; provider: string; sessionId: string | null } | null }>(await call('/v1/me/export', { token: seller.token }))
    expect(exported.verification).toMatchObject({ status: 'verified', provider: 'sandbox', sessionId: expect.stringMatching(/^vs_sandbox_/) })
    expect((await call('/v1/me', { method: 'DELETE', token: seller.token })).status).toBe(204)
    expect(await row(seller.user.id)).toMatchObject({ status: 'verified', session_id: null })
  })
})
