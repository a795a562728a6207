import { describe, expect, it } from 'vitest'
import { TransientGatewayError } from '../../../src/payments/gateway'
import { STRIPE_API_VERSION } from '../../../src/payments/stripe-api-client'
import { stripeTransfers } from '../../../src/payouts/stripe-transfer-client'
import { scriptedFetch } from '../../support/fake-fetch'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const request = { key: 'pyo_01m9a2b4d6f8h0k2m4p6r8t0v2', sellerId: 'usr_s', destination: 'acct_1PqR7sLkdIwHu7ix', amount: { amount: 4000, currency: 'EUR' as const } }

describe('stripeTransfers', () => {
  it('POSTs a form-encoded transfer to the connected account with the payout id as Idempotency-Key, and answers paid with its id', async () => {
    const { fn, calls } = scriptedFetch(json(200, { id: 'tr_1PqR7sLkdIwHu7ix', object: 'transfer' }))
    const outcome = await stripeTransfers({ apiBase: 'https://stripe.test', secretKey: 'sk_test_x', fetch: fn }).transfer(request)
    expect(outcome).toEqual({ status: 'paid', reference: 'tr_1PqR7sLkdIwHu7ix' })
    expect(calls).toHaveLength(1)
    const call = calls[0]!
    expect(call.method).toBe('POST')
    expect(call.url).toBe('https://stripe.test/v1/transfers')
    expect(call.headers.get('idempotency-key')).toBe(request.key)
    expect(call.headers.get('authorization')).toBe('Bearer sk_test_x')
    expect(call.headers.get('stripe-version')).toBe(STRIPE_API_VERSION)
    expect(call.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    const form = new URLSearchParams(call.body)
    expect(Object.fromEntries(form)).toEqual({ amount: '4000', currency: 'eur', destination: 'acct_1PqR7sLkdIwHu7ix', transfer_group: request.key, 'metadata[payout_id]': request.key, 'metadata[seller_id]': 'usr_s' })
  })

  it('fails a payout with no connected account without calling Stripe', async () => {
    const { fn, calls } = scriptedFetch()
    expect(await stripeTransfers({ apiBase: 'https://stripe.test', secretKey: 'sk_test_x', fetch: fn }).transfer({ ...request, destination: null })).toEqual({ status: 'failed', code: 'no_payout_account' })
    expect(calls).toEqual([])
  })

  it('maps Stripe’s refusals to failures, and throws transient errors for 5xx, 409, 429 and no answer', async () => {
    const client = (answer: Response | Error) => stripeTransfers({ apiBase: 'https://stripe.test', secretKey: 'sk_test_x', fetch: scriptedFetch(answer).fn })
    expect(await client(json(400, { error: { type: 'invalid_request_error', code: 'balance_insufficient' } })).transfer(request)).toEqual({ status: 'failed', code: 'insufficient_platform_funds' })
    expect(await client(json(404, { error: { type: 'invalid_request_error', code: 'resource_missing' } })).transfer(request)).toEqual({ status: 'failed', code: 'invalid_destination' })
    expect(await client(json(400, { error: { type: 'invalid_request_error', code: 'account_closed' } })).transfer(request)).toEqual({ status: 'failed', code: 'account_closed' })
    expect(await client(json(400, { error: { type: 'invalid_request_error' } })).transfer(request)).toEqual({ status: 'failed', code: 'declined' })
    for (const answer of [json(500, {}), json(503, {}), json(409, {}), json(429, {}), new Error('connection reset')]) {
      await expect(client(answer).transfer(request)).rejects.toBeInstanceOf(TransientGatewayError)
    }
    // Refused credentials are an operator's problem, never the seller's failed payout.
    await expect(client(json(401, { error: { type: 'invalid_request_error' } })).transfer(request)).rejects.toThrow(/credentials/)
  })
})
