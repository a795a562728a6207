import { TransientGatewayError } from './gateway'

/**
 * One request to Stripe's REST API, as every Stripe client of Souk makes it (payments, transfers,
 * Identity): form-encoded, with the pinned `Stripe-Version` and, on writes, an idempotency key.
 * What says nothing final (no answer, 409 a request with this key still running, 429 its rate
 * limit, 5xx) is a TransientGatewayError (`maybeApplied` unless a 429); refused credentials are a
 * plain Error (an operator must act; retrying changes nothing); any other answer is returned.
 */
export const STRIPE_API_VERSION = '2025-03-31.basil'

export type StripeConfig = { apiBase: string; secretKey: string; fetch: typeof fetch }

export type StripeError = { error?: { type?: string; code?: string; decline_code?: string; message?: string } }

export async function stripeRequest<T>(
  cfg: StripeConfig,
  method: 'GET' | 'POST',
  path: string,
  form: Record<string, string> | null,
  key: string | null,
): Promise<{ status: number; body: T & StripeError }> {
  let res: Response
  try {
    res = await cfg.fetch(`${cfg.apiBase}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cfg.secretKey}`,
        'stripe-version': STRIPE_API_VERSION,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    })
  } catch (err) {
    throw new TransientGatewayError(`stripe unreachable: ${String(err)}`, true)
  }
  if (res.status === 409 || res.status === 429 || res.status >= 500) throw new TransientGatewayError(`stripe answered ${res.status}`, res.status !== 429)
  const body = (await res.json().catch(() => ({}))) as T & StripeError
  if (res.status === 401 || res.status === 403) throw new Error(`stripe refused Souk's credentials (${res.status})`)
  return { status: res.status, body }
}
