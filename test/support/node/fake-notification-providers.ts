import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readBody } from './read-body'

/**
 * Fake notification providers for the end-to-end tests: one loopback HTTP server that speaks the
 * part of Resend's and Twilio's APIs that src/notifications/resend-email-client.ts and
 * twilio-sms-client.ts use, with their semantics:
 *
 * - Resend, `POST /emails`: `Authorization: Bearer <key>` (401 `missing_api_key` without one, 403
 *   `invalid_api_key` with another), a JSON body `{ from, to: [addr], subject, text | html }` (422
 *   `validation_error` otherwise), answered 200 `{ id }`. `Idempotency-Key` (at most 256
 *   characters): the first request with a key sends the e-mail and its answer is kept; the same
 *   key with the same payload gets that answer again and sends nothing; with another payload it is
 *   409 `invalid_idempotent_request`.
 * - Twilio, `POST /2010-04-01/Accounts/{sid}/Messages.json`: Basic auth `sid:token` for that very
 *   account (401 code 20003 otherwise), a form body with `To` (E.164, else 400 code 21211), `From`
 *   or `MessagingServiceSid`, and `Body`; answered 201 `{ sid: 'SM…', status: 'queued', … }`. Twilio
 *   takes no idempotency key: every accepted request is one SMS.
 *
 * Faults are scripted per provider and, optionally, per recipient: the next `times` matching
 * requests get a chosen answer (429 with `Retry-After`, 500, Twilio's 400 with an error code) before
 * anything is sent; `afterSend` makes Resend send the e-mail and keep the key, then answer 500
 * anyway (an answer lost on the way back). Every request is recorded (method, path, headers,
 * parsed body, what the fake made of it, when), so a test can assert what reached the providers.
 */
export type Provider = 'resend' | 'twilio'

/**
 * What the fake made of a request. `sent`: a new e-mail or SMS went out. `replayed`: Resend
 * answered a repeated idempotency key from its record, sending nothing. `injected`: a scripted
 * fault answered before anything was sent. `sent_answer_lost`: sent, then a scripted 500.
 * `rejected`: refused for its credentials or shape, as the real API would.
 */
export type Outcome = 'sent' | 'replayed' | 'injected' | 'sent_answer_lost' | 'rejected' | 'idempotency_conflict'

export type ProviderRequest = {
  provider: Provider | 'unknown'
  method: string
  path: string
  headers: Record<string, string>
  /** JSON for Resend, the form's fields for Twilio. */
  body: Record<string, unknown>
  /** The e-mail address or phone number it was for, when it named one. */
  to: string | null
  idempotencyKey: string | null
  outcome: Outcome
  status: number
  /** `Date.now()` when it arrived. */
  at: number
  /** Resend's e-mail id or Twilio's message SID, for a send. */
  providerId: string | null
}

export type Fault = {
  /** Only requests to this recipient (e-mail address, or E.164 number); any recipient when absent. */
  to?: string
  /** How many matching requests it answers; `Infinity` for all from now on. */
  times?: number
  status: number
  retryAfter?: string
  body?: Record<string, unknown>
  /** Resend only: send the e-mail and keep the idempotency record, then answer this status anyway. */
  afterSend?: boolean
}

export type FakeNotificationProviders = {
  url: string
  requests: ProviderRequest[]
  /** Requests to one provider, optionally for one recipient, in arrival order. */
  requestsTo(provider: Provider, to?: string): ProviderRequest[]
  /** Scripts the next matching requests' answers (faults are consumed in the order they were added). */
  fail(provider: Provider, fault: Fault): void
  /** Twilio's answer for a number whose owner replied STOP (error 21610), from now on. */
  unsubscribe(phone: string): void
  /** The six-digit code in the last SMS sent to `phone`. */
  codeSentTo(phone: string): string
  close(): Promise<void>
}

export type FakeProviderOptions = { resendApiKey: string; twilioAccountSid: string; twilioAuthToken: string }

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> }
type ScriptedFault = Fault & { provider: Provider; left: number }
type StoredEmail = { fingerprint: string; answer: Answer }

const E164 = /^\+[1-9]\d{6,14}$/

export async function startFakeNotificationProviders(opts: FakeProviderOptions): Promise<FakeNotificationProviders> {
  const requests: ProviderRequest[] = []
  const faults: ScriptedFault[] = []
  const emailsByKey = new Map<string, StoredEmail>()

  /** The first live fault of its kind for this request, spent by one. */
  function takeFault(provider: Provider, to: string | null, afterSend = false): ScriptedFault | null {
    const fault = faults.find((f) => f.provider === provider && f.left > 0 && (f.afterSend ?? false) === afterSend && (f.to === undefined || f.to === to))
    if (!fault) return null
    fault.left -= 1
    return fault
  }

  const faultAnswer = (f: Fault): Answer => ({
    status: f.status,
    body: f.body ?? { message: `injected ${f.status}` },
    headers: f.retryAfter === undefined ? undefined : { 'retry-after': f.retryAfter },
  })

  function resend(req: Pick<ProviderRequest, 'headers' | 'body' | 'idempotencyKey'>, to: string | null): { answer: Answer; outcome: Outcome; providerId: string | null } {
    const rejected = (status: number, name: string, message: string) => ({ answer: { status, body: { statusCode: status, name, message } }, outcome: 'rejected' as const, providerId: null })
    const auth = req.headers.authorization
    if (!auth?.startsWith('Bearer ')) return rejected(401, 'missing_api_key', 'Missing API key in the authorization header.')
    if (auth !== `Bearer ${opts.resendApiKey}`) return rejected(403, 'invalid_api_key', 'API key is invalid.')
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return rejected(422, 'validation_error', 'Send a JSON body.')
    const b = req.body
    const toList = b.to
    const addressOk = Array.isArray(toList) ? toList.length >= 1 && toList.length <= 50 && toList.every((t) => typeof t === 'string' && t.includes('@')) : typeof toList === 'string'
    if (typeof b.from !== 'string' || !addressOk || typeof b.subject !== 'string' || (typeof b.text !== 'string' && typeof b.html !== 'string'))
      return rejected(422, 'validation_error', 'from, to, subject and text or html are required.')
    const key = req.idempotencyKey
    if (key !== null && (key.length === 0 || key.length > 256)) return rejected(400, 'invalid_idempotency_key', 'The key must be 1 to 256 characters long.')

    const fault = takeFault('resend', to)
    if (fault) return { answer: faultAnswer(fault), outcome: 'injected', providerId: null }

    const fingerprint = JSON.stringify(b)
    const prior = key === null ? undefined : emailsByKey.get(key)
    if (prior) {
      if (prior.fingerprint !== fingerprint)
        return { answer: { status: 409, body: { statusCode: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' } }, outcome: 'idempotency_conflict', providerId: null }
      return { answer: prior.answer, outcome: 'replayed', providerId: String(prior.answer.body.id) }
    }
    const id = randomUUID()
    const answer: Answer = { status: 200, body: { id } }
    if (key !== null) emailsByKey.set(key, { fingerprint, answer })
    const lost = takeFault('resend', to, true)
    if (lost) return { answer: faultAnswer(lost), outcome: 'sent_answer_lost', providerId: id }
    return { answer, outcome: 'sent', providerId: id }
  }

  function twilio(path: string, req: Pick<ProviderRequest, 'headers' | 'body'>, to: string | null): { answer: Answer; outcome: Outcome; providerId: string | null } {
    const error = (status: number, code: number, message: string): Answer => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } })
    const rejected = (a: Answer) => ({ answer: a, outcome: 'rejected' as const, providerId: null })
    const sid = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path)?.[1]
    const expected = `Basic ${Buffer.from(`${opts.twilioAccountSid}:${opts.twilioAuthToken}`).toString('base64')}`
    if (sid !== opts.twilioAccountSid || req.headers.authorization !== expected) return rejected(error(401, 20003, 'Authenticate'))
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return rejected(error(400, 21601, 'Send a form-encoded body.'))
    const b = req.body
    if (typeof b.To !== 'string' || b.To === '') return rejected(error(400, 21604, "A 'To' phone number is required."))
    if (typeof b.Body !== 'string' || b.Body === '') return rejected(error(400, 21602, 'Message body is required.'))
    if (typeof b.From !== 'string' && typeof b.MessagingServiceSid !== 'string') return rejected(error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."))

    const fault = takeFault('twilio', to)
    if (fault) return { answer: faultAnswer(fault), outcome: 'injected', providerId: null }
    if (!E164.test(b.To)) return rejected(error(400, 21211, `The 'To' number ${b.To} is not a valid phone number.`))

    const messageSid = `SM${randomBytes(16).toString('hex')}`
    const now = new Date().toUTCString()
    return {
      answer: {
        status: 201,
        body: {
          sid: messageSid,
          account_sid: sid,
          to: b.To,
          from: typeof b.From === 'string' ? b.From : null,
          messaging_service_sid: typeof b.MessagingServiceSid === 'string' ? b.MessagingServiceSid : null,
          body: b.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          date_created: now,
          date_updated: now,
          error_code: null,
          error_message: null,
        },
      },
      outcome: 'sent',
      providerId: messageSid,
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now()
    const method = req.method ?? 'GET'
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const raw = await readBody(req)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
    const idempotencyKey = headers['idempotency-key'] ?? null

    const provider: ProviderRequest['provider'] = method === 'POST' && path === '/emails' ? 'resend' : method === 'POST' && path.startsWith('/2010-04-01/Accounts/') ? 'twilio' : 'unknown'
    let body: Record<string, unknown> = {}
    if (provider === 'resend') body = parseJson(raw)
    if (provider === 'twilio') body = Object.fromEntries(new URLSearchParams(raw))
    const to = provider === 'resend' ? firstAddress(body.to) : provider === 'twilio' && typeof body.To === 'string' ? body.To : null

    const result =
      provider === 'resend'
        ? resend({ headers, body, idempotencyKey }, to)
        : provider === 'twilio'
          ? twilio(path, { headers, body }, to)
          : { answer: { status: 404, body: { message: `no such endpoint: ${method} ${path}` } }, outcome: 'rejected' as const, providerId: null }
    requests.push({ provider, method, path, headers, body, to, idempotencyKey, outcome: result.outcome, status: result.answer.status, at, providerId: result.providerId })
    send(res, result.answer)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: `fake providers failed: ${String(e)}` } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (provider, to) => requests.filter((r) => r.provider === provider && (to === undefined || r.to === to)),
    fail(provider, fault) {
      faults.push({ ...fault, provider, left: fault.times ?? 1 })
    },
    unsubscribe(phone) {
      faults.push({ provider: 'twilio', to: phone, left: Infinity, status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 } })
    },
    codeSentTo(phone) {
      const last = requests.filter((r) => r.provider === 'twilio' && r.to === phone && r.outcome === 'sent').at(-1)
      const code = typeof last?.body.Body === 'string' ? /\b(\d{6})\b/.exec(last.body.Body)?.[1] : undefined
      if (!code) throw new Error(`fake twilio: no code was sent to ${phone}`)
      return code
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function firstAddress(to: unknown): string | null {
  if (typeof to === 'string') return to
  return Array.isArray(to) && typeof to[0] === 'string' ? to[0] : null
}

function parseJson(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function send(res: ServerResponse, a: Answer): void {
  if (res.writableEnded || res.destroyed) return
  res.on('error', () => undefined)
  res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
  res.end(JSON.stringify(a.body))
}
