import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readBody } from './read-body'

/**
 * A fake Stripe for the end-to-end tests: a loopback HTTP server that speaks exactly the part of
 * Stripe's REST API that src/payments/stripe-gateway-client.ts uses, with Stripe's semantics:
 *
 * - every request needs `Authorization: Bearer <secret key>` (401 otherwise) and a
 *   `Stripe-Version` header (400 otherwise); POST bodies are form-encoded;
 * - `Idempotency-Key`: the first request with a key executes and its answer (status and body,
 *   errors and 500s included) is kept; a repeat with the same method, path and parameters gets
 *   that very answer again without executing; a repeat with other parameters is 400
 *   `idempotency_error`; a repeat while the first is still running is 409 `idempotency_key_in_use`;
 * - PaymentMethods: GET answers a test token's card, with one fingerprint per token.
 * - PaymentIntents: create → `requires_confirmation` (moves no money); `capture_method` is
 *   `automatic`, `automatic_async` (Stripe's default when none is sent) or `manual`; confirm of an
 *   automatic one captures at once (`succeeded`, one capture counted), of a manual one holds the
 *   money (`requires_capture`), and a declining card answers 402 `card_error` leaving
 *   `requires_payment_method` with `last_payment_error`; capture (`requires_capture` only) →
 *   `succeeded`; refunds of succeeded intents; cancel of any not yet succeeded → `canceled`;
 * - test payment methods: pm_card_visa, pm_card_mastercard succeed; pm_card_chargeDeclined
 *   (generic_decline), pm_card_chargeDeclinedInsufficientFunds (insufficient_funds) and
 *   pm_card_chargeDeclinedFraudulent (fraudulent) decline at confirm; any other id is 400
 *   `resource_missing` at create.
 *
 * Fault switches (`failNextConfirm`) make the next executed confirm apply and then answer late
 * (held until a delay or a promise, running a callback meanwhile, e.g. to send a webhook) or
 * answer 500. The fake keeps a record of every request and of every intent (captures, refunds,
 * cancels) so tests can assert what reached "Stripe", and can send signed webhook events.
 */
export type IntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'succeeded' | 'canceled'

export type StripeErrorBody = { type: string; code?: string; decline_code?: string; message: string; param?: string; payment_intent?: PaymentIntent }

export type PaymentIntent = {
  id: string
  object: 'payment_intent'
  amount: number
  amount_capturable: number
  amount_received: number
  currency: string
  status: IntentStatus
  capture_method: 'manual' | 'automatic' | 'automatic_async'
  payment_method: string
  payment_method_types: string[]
  metadata: Record<string, string>
  last_payment_error: StripeErrorBody | null
  latest_charge: string | null
  cancellation_reason: string | null
  client_secret: string
  created: number
  livemode: false
}

export type Refund = { id: string; object: 'refund'; amount: number; currency: string; payment_intent: string; status: 'succeeded'; created: number }

/** What the fake knows of one intent, beyond what Stripe shows: how often money actually moved. */
export type IntentRecord = { intent: PaymentIntent; captures: number; refunds: Refund[]; cancels: number; confirms: number }

export type RequestOutcome = 'executed' | 'replayed' | 'in_flight_conflict' | 'idempotency_mismatch' | 'rejected'

export type RequestRecord = {
  method: string
  path: string
  /** The path with ids replaced, e.g. `POST /v1/payment_intents/:id/confirm`. */
  endpoint: string
  idempotencyKey: string | null
  params: Record<string, string>
  outcome: RequestOutcome
  status: number
  at: number
}

export type ConfirmFault =
  /**
   * Apply the confirm, then keep the answer back until `until` passes (milliseconds, or a promise
   * settling) and `whileHeld` (run as soon as the confirm applied) has settled. Requests with the
   * same key meanwhile get 409, as at Stripe; afterwards they get the held answer replayed.
   */
  | { kind: 'hold'; until?: number | Promise<unknown>; whileHeld?: (intent: PaymentIntent) => Promise<unknown> }
  /** Apply the confirm, then answer 500 (kept for the key, as Stripe keeps 500s). */
  | { kind: 'error_after_apply' }

export type StripeEvent = { id: string; object: 'event'; type: string; api_version: string; created: number; livemode: false; data: { object: PaymentIntent } }

export type FakeStripe = {
  readonly url: string
  readonly requests: readonly RequestRecord[]
  /** Every intent with its counts, in creation order. */
  intents(): IntentRecord[]
  intent(id: string): IntentRecord | undefined
  /** The intents created with `metadata[order_id]` = orderId. */
  intentsForOrder(orderId: string): IntentRecord[]
  /**
   * Every request about an order, whatever its outcome: those under one of its keys
   * (`<orderId>:…`) and those naming one of its intents (reads, captures, cancels, refunds).
   */
  requestsForOrder(orderId: string): RequestRecord[]
  /** How many requests the fake actually executed (not replayed), by endpoint and optionally key. */
  executions(endpoint: string, idempotencyKey?: string): number
  /** Arms a fault for the next confirm that executes (replays and conflicts do not consume it). */
  failNextConfirm(fault: ConfirmFault): void
  /** Resolves once every held answer has been written (or given up on). */
  settled(): Promise<void>
  /** A Stripe event about an intent as it stands now. */
  event(type: string, intentId: string): StripeEvent
  close(): Promise<void>
}

const HOLD_CAP_MS = 30_000

type Stored = { state: 'in_flight'; fingerprint: string } | { state: 'done'; fingerprint: string; status: number; body: unknown }
type Answer = { status: number; body: unknown }

const stripeId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`
const unix = () => Math.floor(Date.now() / 1000)
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T
const err = (status: number, e: StripeErrorBody): Answer => ({ status, body: { error: e } })
const missing = (param: string) => err(400, { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` })
const noSuch = (kind: string, id: string) => err(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'intent', message: `No such ${kind}: '${id}'` })
const unexpectedState = (i: PaymentIntent, action: string) =>
  err(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's ${action} could not be performed because it has a status of ${i.status}.`,
    payment_intent: clone(i),
  })

const declines: Record<string, { decline_code: string; message: string }> = {
  pm_card_chargeDeclined: { decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_chargeDeclinedFraudulent: { decline_code: 'fraudulent', message: 'Your card was declined.' },
}
const approving = new Set(['pm_card_visa', 'pm_card_mastercard'])

export async function startFakeStripe(opts: { secretKey: string; port?: number }): Promise<FakeStripe> {
  const records = new Map<string, IntentRecord>()
  const requests: RequestRecord[] = []
  const stored = new Map<string, Stored>()
  const pending = new Set<Promise<void>>()
  let confirmFault: ConfirmFault | null = null
  let stopHolding: () => void = () => undefined
  const closing = new Promise<void>((resolve) => {
    stopHolding = resolve
  })

  const record = (r: Omit<RequestRecord, 'at'>) => requests.push({ ...r, at: Date.now() })

  function createIntent(p: Record<string, string>): Answer {
    for (const name of ['amount', 'currency', 'payment_method']) if (!p[name]) return missing(name)
    const amount = Number(p.amount)
    if (!Number.isSafeInteger(amount) || amount < 1) return err(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer' })
    const pm = p.payment_method ?? ''
    if (!approving.has(pm) && !(pm in declines)) return err(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${pm}'` })
    const captureMethod = p.capture_method ?? 'automatic_async'
    if (captureMethod !== 'manual' && captureMethod !== 'automatic' && captureMethod !== 'automatic_async')
      return err(400, { type: 'invalid_request_error', code: 'parameter_invalid_string', param: 'capture_method', message: `Invalid capture_method: '${captureMethod}'` })
    const metadata: Record<string, string> = {}
    for (const [k, v] of Object.entries(p)) {
      const m = /^metadata\[(.+)\]$/.exec(k)
      if (m?.[1]) metadata[m[1]] = v
    }
    const id = stripeId('pi')
    const intent: PaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: (p.currency ?? '').toLowerCase(),
      status: 'requires_confirmation',
      capture_method: captureMethod,
      payment_method: pm,
      payment_method_types: p['payment_method_types[]'] ? [p['payment_method_types[]']] : ['card'],
      metadata,
      last_payment_error: null,
      latest_charge: null,
      cancellation_reason: null,
      client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
      created: unix(),
      livemode: false,
    }
    records.set(id, { intent, captures: 0, refunds: [], cancels: 0, confirms: 0 })
    return { status: 200, body: clone(intent) }
  }

  function confirmIntent(r: IntentRecord, p: Record<string, string>): Answer {
    const i = r.intent
    if (p.payment_method) i.payment_method = p.payment_method
    if (i.status !== 'requires_confirmation' && i.status !== 'requires_payment_method') return unexpectedState(i, 'confirm')
    if (i.status === 'requires_payment_method' && !p.payment_method) return unexpectedState(i, 'confirm')
    r.confirms++
    const decline = declines[i.payment_method]
    const charge = stripeId('ch')
    i.latest_charge = charge
    if (decline) {
      const error: StripeErrorBody = { type: 'card_error', code: 'card_declined', decline_code: decline.decline_code, message: decline.message }
      i.status = 'requires_payment_method'
      i.last_payment_error = clone(error)
      return err(402, { ...error, payment_intent: clone(i) })
    }
    i.last_payment_error = null
    if (i.capture_method === 'manual') {
      i.status = 'requires_capture'
      i.amount_capturable = i.amount
    } else {
      i.status = 'succeeded'
      i.amount_received = i.amount
      r.captures++
    }
    return { status: 200, body: clone(i) }
  }

  function captureIntent(r: IntentRecord, p: Record<string, string>): Answer {
    const i = r.intent
    if (i.status !== 'requires_capture') return unexpectedState(i, 'capture')
    const amount = p.amount_to_capture ? Number(p.amount_to_capture) : i.amount_capturable
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > i.amount_capturable)
      return err(400, { type: 'invalid_request_error', code: 'amount_too_large', param: 'amount_to_capture', message: 'The amount to capture is larger than the amount capturable.' })
    i.status = 'succeeded'
    i.amount_received = amount
    i.amount_capturable = 0
    r.captures++
    return { status: 200, body: clone(i) }
  }

  function refund(p: Record<string, string>): Answer {
    if (!p.payment_intent) return missing('payment_intent')
    const r = records.get(p.payment_intent)
    if (!r) return noSuch('payment_intent', p.payment_intent)
    const i = r.intent
    if (i.status !== 'succeeded')
      return err(400, { type: 'invalid_request_error', code: 'charge_not_refundable', message: `This PaymentIntent has a status of ${i.status}; only succeeded payments can be refunded.` })
    const refunded = r.refunds.reduce((n, x) => n + x.amount, 0)
    const amount = p.amount ? Number(p.amount) : i.amount_received - refunded
    if (!Number.isSafeInteger(amount) || amount < 1 || refunded + amount > i.amount_received)
      return err(400, { type: 'invalid_request_error', code: 'amount_too_large', param: 'amount', message: 'Refund amount is greater than unrefunded amount on charge.' })
    const created: Refund = { id: stripeId('re'), object: 'refund', amount, currency: i.currency, payment_intent: i.id, status: 'succeeded', created: unix() }
    r.refunds.push(created)
    return { status: 200, body: clone(created) }
  }

  function cancelIntent(r: IntentRecord, p: Record<string, string>): Answer {
    const i = r.intent
    if (i.status === 'succeeded' || i.status === 'canceled') return unexpectedState(i, 'cancel')
    i.status = 'canceled'
    i.amount_capturable = 0
    i.cancellation_reason = p.cancellation_reason ?? null
    r.cancels++
    return { status: 200, body: clone(i) }
  }

  /** Routes one authenticated request; `null` when no such endpoint. */
  function route(method: string, path: string): { endpoint: string; run: (p: Record<string, string>) => Answer; confirm?: boolean } | null {
    if (method === 'POST' && path === '/v1/payment_intents') return { endpoint: 'POST /v1/payment_intents', run: createIntent }
    if (method === 'POST' && path === '/v1/refunds') return { endpoint: 'POST /v1/refunds', run: refund }
    // A test payment method's card: one fingerprint per test token (`pm_card_visa` is always the same Visa).
    const pm = /^\/v1\/payment_methods\/(pm_[A-Za-z0-9_]+)$/.exec(path)
    if (method === 'GET' && pm?.[1]) {
      const id = pm[1]
      return { endpoint: 'GET /v1/payment_methods/:id', run: () => ({ status: 200, body: { id, object: 'payment_method', type: 'card', card: { fingerprint: `fp_${id.replace(/^pm_card_/, '')}` } } }) }
    }
    const m = /^\/v1\/payment_intents\/([^/]+)(?:\/(confirm|capture|cancel))?$/.exec(path)
    if (!m?.[1]) return null
    const id = m[1]
    const action = m[2]
    const withIntent = (f: (r: IntentRecord, p: Record<string, string>) => Answer) => (p: Record<string, string>) => {
      const r = records.get(id)
      return r ? f(r, p) : noSuch('payment_intent', id)
    }
    if (method === 'GET' && !action) return { endpoint: 'GET /v1/payment_intents/:id', run: withIntent((r) => ({ status: 200, body: clone(r.intent) })) }
    if (method !== 'POST' || !action) return null
    if (action === 'confirm') return { endpoint: 'POST /v1/payment_intents/:id/confirm', run: withIntent(confirmIntent), confirm: true }
    if (action === 'capture') return { endpoint: 'POST /v1/payment_intents/:id/capture', run: withIntent(captureIntent) }
    return { endpoint: 'POST /v1/payment_intents/:id/cancel', run: withIntent(cancelIntent) }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const raw = await readBody(req)
    const params: Record<string, string> = {}
    for (const [k, v] of new URLSearchParams(raw)) params[k] = v
    const key = header(req, 'idempotency-key') ?? null
    const reply = (a: Answer) => send(res, a)

    const found = route(method, path)
    const endpoint = found?.endpoint ?? `${method} ${path}`
    const reject = (a: Answer) => {
      record({ method, path, endpoint, idempotencyKey: key, params, outcome: 'rejected', status: a.status })
      reply(a)
    }
    if (header(req, 'authorization') !== `Bearer ${opts.secretKey}`)
      return reject(err(401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' }))
    if (!header(req, 'stripe-version')) return reject(err(400, { type: 'invalid_request_error', code: 'stripe_version_missing', message: 'Send a Stripe-Version header.' }))
    if (!found) return reject(err(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }))
    if (method === 'POST' && raw && !(header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded'))
      return reject(err(400, { type: 'invalid_request_error', message: 'POST bodies are form-encoded.' }))

    // Stripe keys idempotency per account; GETs are idempotent by nature and ignore the key.
    const idem = method === 'POST' && key ? `${opts.secretKey}\n${key}` : null
    const fingerprint = `${method} ${path}?${new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString()}`
    const prior = idem ? stored.get(idem) : undefined
    if (prior) {
      if (prior.fingerprint !== fingerprint) {
        const a = err(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}'.`,
        })
        record({ method, path, endpoint, idempotencyKey: key, params, outcome: 'idempotency_mismatch', status: a.status })
        return reply(a)
      }
      if (prior.state === 'in_flight') {
        const a = err(409, {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message: 'There is currently another in-progress request using this Idempotency-Key. Try again later.',
        })
        record({ method, path, endpoint, idempotencyKey: key, params, outcome: 'in_flight_conflict', status: a.status })
        return reply(a)
      }
      record({ method, path, endpoint, idempotencyKey: key, params, outcome: 'replayed', status: prior.status })
      res.setHeader('idempotent-replayed', 'true')
      return reply({ status: prior.status, body: prior.body })
    }

    const fault = found.confirm ? confirmFault : null
    if (fault) confirmFault = null
    if (idem) stored.set(idem, { state: 'in_flight', fingerprint })
    let answer = found.run(params)
    record({ method, path, endpoint, idempotencyKey: key, params, outcome: 'executed', status: answer.status })

    if (fault?.kind === 'error_after_apply') answer = err(500, { type: 'api_error', message: 'An unknown error occurred (injected after the confirm applied).' })
    if (fault?.kind === 'hold') {
      const intent = (answer.body as { id?: string }).id ? clone(answer.body as PaymentIntent) : null
      const held = (async () => {
        const waits: Promise<unknown>[] = [typeof fault.until === 'number' ? sleep(fault.until) : (fault.until ?? Promise.resolve())]
        if (fault.whileHeld && intent) waits.push(fault.whileHeld(intent))
        await Promise.race([Promise.allSettled(waits), sleep(HOLD_CAP_MS), closing])
      })()
      const done = held.then(() => {
        if (idem) stored.set(idem, { state: 'done', fingerprint, status: answer.status, body: answer.body })
        reply(answer)
      })
      pending.add(done)
      void done.finally(() => pending.delete(done))
      return
    }
    if (idem) stored.set(idem, { state: 'done', fingerprint, status: answer.status, body: answer.body })
    reply(answer)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, err(500, { type: 'api_error', message: `fake stripe failed: ${String(e)}` }))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const byEndpoint = (endpoint: string, key?: string) => requests.filter((r) => r.endpoint === endpoint && r.outcome === 'executed' && (key === undefined || r.idempotencyKey === key))

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    intents: () => [...records.values()].map(clone),
    intent: (id) => {
      const r = records.get(id)
      return r ? clone(r) : undefined
    },
    intentsForOrder: (orderId) => [...records.values()].filter((r) => r.intent.metadata.order_id === orderId).map(clone),
    requestsForOrder(orderId) {
      const ids = new Set([...records.values()].filter((r) => r.intent.metadata.order_id === orderId).map((r) => r.intent.id))
      return requests
        .filter((r) => r.idempotencyKey?.startsWith(`${orderId}:`) || [...ids].some((id) => r.path.includes(id) || r.params.payment_intent === id))
        .map(clone)
    },
    executions: (endpoint, key) => byEndpoint(endpoint, key).length,
    failNextConfirm(fault) {
      confirmFault = fault
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
    event(type, intentId) {
      const r = records.get(intentId)
      if (!r) throw new Error(`fake stripe: no intent ${intentId}`)
      return { id: stripeId('evt'), object: 'event', type, api_version: '2025-03-31.basil', created: unix(), livemode: false, data: { object: clone(r.intent) } }
    },
    async close() {
      stopHolding()
      await Promise.allSettled([...pending])
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Stripe's signature header: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function stripeSignature(secret: string, body: string, timestamp: number = unix()): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * Delivers an event to the worker's payment webhook as Stripe does: the raw JSON body, signed.
 * `timestamp` backdates the signature; `signature` replaces the header outright.
 */
export function sendWebhook(workerUrl: string, secret: string, event: unknown, opts: { timestamp?: number; signature?: string } = {}): Promise<Response> {
  const body = JSON.stringify(event)
  return fetch(`${workerUrl}/v1/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': opts.signature ?? stripeSignature(secret, body, opts.timestamp) },
    body,
  })
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function send(res: ServerResponse, a: Answer): void {
  if (res.writableEnded || res.destroyed) return // the caller gave up on this answer
  res.on('error', () => undefined)
  res.writeHead(a.status, { 'content-type': 'application/json', 'request-id': stripeId('req') })
  res.end(JSON.stringify(a.body))
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
