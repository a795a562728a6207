import { retryLater, type ProviderOutcome } from './provider-outcome'

/**
 * SMS through Twilio's Messages API. Twilio takes no idempotency key: when an answer is lost (a
 * timeout, a 5xx after Twilio accepted the message) the queue's retry may send the SMS twice. That
 * retry is the only one; this client never loops, so a duplicate costs at most one per queue attempt.
 */
export type TwilioConfig = {
  apiBase: string // https://api.twilio.com
  accountSid: string
  authToken: string
  from: string // an E.164 number, or a Messaging Service SID (MG…) that picks the sender itself
}

/** Twilio's longest message body, in characters. */
const MAX_BODY = 1600

/** Codes that say the number itself cannot take SMS: invalid To, recipient sent STOP, not a mobile. */
const GONE_CODES = new Set([21211, 21610, 21614])

type TwilioBody = { sid?: unknown; code?: unknown; message?: unknown }

export async function sendTwilioSms(fetchFn: typeof fetch, cfg: TwilioConfig, m: { to: string; body: string }, nowMs: number): Promise<ProviderOutcome> {
  const form = new URLSearchParams({ To: m.to, Body: clip(m.body, MAX_BODY) })
  form.set(cfg.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', cfg.from)
  let res: Response
  try {
    res = await fetchFn(`${cfg.apiBase}/2010-04-01/Accounts/${cfg.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${cfg.accountSid}:${cfg.authToken}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })
  } catch {
    return { kind: 'retry', status: 0 }
  }
  if (res.status === 429 || res.status >= 500) {
    return retryLater(res, nowMs)
  }
  // Once Twilio said 2xx the message is queued: an unreadable body does not make it a failure.
  const body = (await res.json().catch(() => ({}))) as TwilioBody
  if (res.ok) return typeof body.sid === 'string' ? { kind: 'sent', providerId: body.sid } : { kind: 'sent' }
  const code = typeof body.code === 'number' ? body.code : undefined
  if (res.status === 400 && code !== undefined && GONE_CODES.has(code)) return { kind: 'gone', status: res.status }
  const message = typeof body.message === 'string' ? body.message : 'no message'
  return { kind: 'refused', status: res.status, reason: `twilio ${code ?? res.status}: ${message}`.slice(0, 200) }
}

/** At most `max` UTF-16 units, without splitting a surrogate pair (an emoji) in half. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s
  const high = s.charCodeAt(max - 1)
  return s.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max)
}
