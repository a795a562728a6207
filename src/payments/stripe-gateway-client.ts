import type { ChargeRequest, ChargeState, DeclineCode, GatewayOutcome, PaymentGateway } from './gateway'
import { TransientGatewayError } from './gateway'
import { stripeRequest, type StripeConfig, type StripeError } from './stripe-api-client'

export { STRIPE_API_VERSION, type StripeConfig } from './stripe-api-client'

type Intent = {
  id: string
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'succeeded' | 'canceled'
  last_payment_error?: { code?: string; decline_code?: string } | null
}

/**
 * Stripe over its REST API (no SDK: the Worker needs a few calls and fetch). A charge is a
 * PaymentIntent with automatic capture, made in two requests: create it unconfirmed (moves no
 * money; idempotent by the order's key) and confirm it, which captures. That split is what makes
 * `retrieve` safe: replaying the create with the same key gives back the same intent (Stripe
 * replays the first answer) without charging anyone, and its status says where the charge stands.
 */
/** A payment method's card never changes: fingerprints are kept per isolate, a bounded number. */
const fingerprints = new Map<string, string>()
const MAX_FINGERPRINTS = 10_000
function remember(paymentMethod: string, fingerprint: string): void {
  if (fingerprints.size >= MAX_FINGERPRINTS) fingerprints.delete(fingerprints.keys().next().value ?? '')
  fingerprints.set(paymentMethod, fingerprint)
}

export function stripeGateway(cfg: StripeConfig): PaymentGateway {
  const call = <T>(method: 'GET' | 'POST', path: string, form: Record<string, string> | null, key: string | null) => stripeRequest<T>(cfg, method, path, form, key)

  /**
   * The order's intent, created unconfirmed once per key: replaying this moves no money. Every
   * call for one order passes the same capture method (Stripe refuses a key reused with other parameters).
   */
  const intentFor = async ({ key, orderId, amount, paymentMethod, capture }: ChargeRequest) => {
    const { status, body } = await call<Intent>(
      'POST',
      '/v1/payment_intents',
      { amount: String(amount.amount), currency: amount.currency.toLowerCase(), payment_method: paymentMethod, capture_method: capture ?? 'automatic', 'payment_method_types[]': 'card', 'metadata[order_id]': orderId },
      `${key}:intent`,
    )
    if (status === 200) return { ok: true as const, intent: body }
    // A key reused with other parameters says nothing about the card: never a decline.
    if (body.error?.type === 'idempotency_error') throw new TransientGatewayError(`Stripe refused the key: ${body.error.message ?? 'idempotency_error'}`, false)
    return { ok: false as const, decline: declineOf(body) }
  }

  return {
    provider: 'stripe',
    async charge(req) {
      const created = await intentFor(req)
      if (!created.ok) return { status: 'declined', code: created.decline }
      const { status, body } = await call<Intent>('POST', `/v1/payment_intents/${created.intent.id}/confirm`, {}, `${req.key}:confirm`)
      if (body.error?.type === 'idempotency_error') throw new TransientGatewayError(`Stripe refused the key: ${body.error.message ?? 'idempotency_error'}`, true)
      if (status === 402 || (status === 400 && body.error)) return { status: 'declined', code: declineOf(body) }
      // Held as asked (an order under review): that is the authorization succeeding.
      if (req.capture === 'manual' && body.status === 'requires_capture') return { status: 'succeeded', paymentId: body.id }
      return outcomeOf(body)
    },
    async capture(req) {
      const { status, body } = await call<Intent>('POST', `/v1/payment_intents/${req.paymentId}/capture`, {}, req.key)
      if (status !== 200) {
        // Captured already (a try whose answer was lost, past the idempotency key's 24 hours): that is the capture.
        const { body: intent } = await call<Intent>('GET', `/v1/payment_intents/${req.paymentId}`, null, null)
        if (intent.status === 'succeeded') return { status: 'succeeded', paymentId: intent.id }
        return { status: 'declined', code: declineOf(body) }
      }
      return body.status === 'succeeded' ? { status: 'succeeded', paymentId: body.id } : outcomeOf(body)
    },
    async refund(req) {
      // A held authorization is cancelled (voided); a captured payment is refunded.
      const { body: intent } = await call<Intent>('GET', `/v1/payment_intents/${req.paymentId}`, null, null)
      if (intent.status === 'canceled') return { status: 'succeeded', paymentId: req.paymentId }
      const { status, body } =
        intent.status === 'succeeded'
          ? await call<{ id: string; status: string }>('POST', '/v1/refunds', { payment_intent: req.paymentId, amount: String(req.amount.amount) }, req.key)
          : await call<{ id: string; status: string }>('POST', `/v1/payment_intents/${req.paymentId}/cancel`, {}, `${req.key}:cancel`)
      if (status !== 200) return { status: 'declined', code: declineOf(body) }
      return body.status === 'failed' ? { status: 'declined', code: 'card_declined' } : { status: 'succeeded', paymentId: req.paymentId }
    },
    async fingerprint(paymentMethod) {
      const known = fingerprints.get(paymentMethod)
      if (known) return known
      const { status, body } = await call<{ card?: { fingerprint?: string } | null }>('GET', `/v1/payment_methods/${encodeURIComponent(paymentMethod)}`, null, null)
      const found = status === 200 ? (body.card?.fingerprint ?? null) : null
      if (found) remember(paymentMethod, found)
      return found
    },
    async retrieve(req): Promise<ChargeState> {
      const created = await intentFor(req)
      if (!created.ok) return { status: 'declined', code: created.decline }
      const i = created.intent
      const { body } = await call<Intent>('GET', `/v1/payment_intents/${i.id}`, null, null)
      switch (body.status) {
        case 'requires_capture':
          return { status: 'authorized', paymentId: body.id }
        case 'succeeded':
          return { status: 'captured', paymentId: body.id }
        case 'canceled':
          return { status: 'refunded', paymentId: body.id }
        case 'requires_payment_method':
          return body.last_payment_error ? { status: 'declined', code: declineOf({ error: body.last_payment_error }) } : { status: 'not_found' }
        case 'requires_confirmation':
          return { status: 'not_found' }
        default:
          return { status: 'unknown', reason: `intent ${body.status}` }
      }
    },
  }
}

function outcomeOf(i: Intent): GatewayOutcome {
  switch (i.status) {
    case 'succeeded':
      return { status: 'succeeded', paymentId: i.id }
    case 'requires_payment_method':
    case 'canceled':
      return { status: 'declined', code: declineOf({ error: i.last_payment_error ?? {} }) }
    default:
      // Held but not captured, 3-D Secure, delayed methods: not settled yet; reconciliation asks
      // again (and captures what it finds held).
      throw new TransientGatewayError(`intent ${i.status}`, true)
  }
}

function declineOf(body: StripeError): DeclineCode {
  const e = body.error ?? {}
  if (e.decline_code === 'insufficient_funds' || e.code === 'insufficient_funds') return 'insufficient_funds'
  if (e.decline_code === 'fraudulent' || e.decline_code === 'stolen_card' || e.decline_code === 'lost_card') return 'fraudulent'
  if (e.code === 'card_declined' || e.type === 'card_error') return 'card_declined'
  return 'invalid_payment_method'
}
