import { retryLater, type ProviderOutcome } from './provider-outcome'

/**
 * E-mail through Resend's HTTP API. The idempotency key (up to 256 characters, kept 24 hours by
 * Resend) makes the queue's retry safe: a resend after a lost answer gets the first answer back
 * instead of a second e-mail.
 */
export type ResendConfig = { apiBase: string; apiKey: string; from: string }

type ResendBody = { id?: unknown; name?: unknown; message?: unknown }

export async function sendResendEmail(
  fetchFn: typeof fetch,
  cfg: ResendConfig,
  m: { to: string; subject: string; text: string; idempotencyKey: string },
  nowMs: number,
): Promise<ProviderOutcome> {
  let res: Response
  try {
    res = await fetchFn(`${cfg.apiBase}/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cfg.apiKey}`, 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify({ from: cfg.from, to: [m.to], subject: m.subject, text: m.text }),
    })
  } catch {
    return { kind: 'retry', status: 0 }
  }
  // 409: the key is still being processed by a concurrent request (or was used with another payload).
  if (res.status === 409 || res.status === 429 || res.status >= 500) {
    return retryLater(res, nowMs)
  }
  // Once Resend said 2xx the e-mail is on its way: an unreadable body does not make it a failure.
  const body = (await res.json().catch(() => ({}))) as ResendBody
  if (res.ok) return typeof body.id === 'string' ? { kind: 'sent', providerId: body.id } : { kind: 'sent' }
  const reason = typeof body.message === 'string' ? body.message : typeof body.name === 'string' ? body.name : `resend answered ${res.status}`
  return { kind: 'refused', status: res.status, reason: reason.slice(0, 200) }
}
