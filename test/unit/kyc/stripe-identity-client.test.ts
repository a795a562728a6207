import { describe, expect, it } from 'vitest'
import { IdentityProviderUnavailable } from '../../../src/kyc/identity-provider'
import { stripeIdentity } from '../../../src/kyc/stripe-identity-client'
import { STRIPE_API_VERSION } from '../../../src/payments/stripe-api-client'
import { scriptedFetch } from '../../support/fake-fetch'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const start = { key: 'kyc:usr_s:1', userId: 'usr_s', displayName: 'Sam' }

describe('stripeIdentity', () => {
  it('creates a document verification session, form-encoded, with the seller in its metadata and the session key as Idempotency-Key', async () => {
    const { fn, calls } = scriptedFetch(json(200, { id: 'vs_1PqR7sLkdIwHu7ix', object: 'identity.verification_session', status: 'requires_input', url: 'https://verify.stripe.com/start/test_abc' }))
    expect(await stripeIdentity({ apiBase: 'https://stripe.test', secretKey: 'sk_test_x', fetch: fn }).start(start)).toEqual({ sessionId: 'vs_1PqR7sLkdIwHu7ix', url: 'https://verify.stripe.com/start/test_abc' })
    const call = calls[0]!
    expect(call.method).toBe('POST')
    expect(call.url).toBe('https://stripe.test/v1/identity/verification_sessions')
    expect(call.headers.get('idempotency-key')).toBe('kyc:usr_s:1')
    expect(call.headers.get('stripe-version')).toBe(STRIPE_API_VERSION)
    expect(call.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(call.body))).toEqual({ type: 'document', 'metadata[user_id]': 'usr_s' })
    // The display name is for the sandbox alone: it never leaves for Stripe.
    expect(call.body).not.toContain('Sam')
  })

  it('is unavailable when Stripe cannot answer (5xx, 429, no answer), and a refusal of its request is an error, not a session', async () => {
    const client = (answer: Response | Error) => stripeIdentity({ apiBase: 'https://stripe.test', secretKey: 'sk_test_x', fetch: scriptedFetch(answer).fn })
    for (const answer of [json(500, {}), json(429, {}), new Error('timeout')]) await expect(client(answer).start(start)).rejects.toBeInstanceOf(IdentityProviderUnavailable)
    await expect(client(json(400, { error: { code: 'parameter_invalid_empty' } })).start(start)).rejects.toThrow(/400 \(parameter_invalid_empty\)/)
    await expect(client(json(200, { id: 'not-a-session' })).start(start)).rejects.toThrow(/answered 200/)
  })
})
