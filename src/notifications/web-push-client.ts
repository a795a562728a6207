import { buildPushPayload, type PushMessage } from '@block65/webcrypto-web-push'
import { pushKeysProblem } from '../contact-points/push-subscription'
import { retryLater, type ProviderOutcome } from './provider-outcome'

/**
 * Web push (RFC 8030) through @block65/webcrypto-web-push: the payload encrypted as RFC 8291's
 * `aes128gcm` (padded to a constant size, so its length says nothing) and the VAPID token of
 * RFC 8292, with WebCrypto alone, so it runs in workerd. A shell: it calls the push service with
 * the injected fetch and says what the answer means.
 */
export type PushSubscriptionKeys = { endpoint: string; p256dh: string; auth: string }
/** The VAPID key pair as scripts/vapid-keys.ts prints it: base64url public point and private scalar (vapid-keys.ts). */
export type VapidConfig = { publicKey: string; privateKey: string; subject: string } // subject: 'mailto:…' or an https URL

/** RFC 8292 bounds the token (and so a message worth sending) to 24 hours. */
const MAX_TTL = 24 * 60 * 60

/** RFC 8030 §5.4: at most 32 characters of the URL-safe base64 alphabet. */
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/

export async function sendWebPush(
  fetchFn: typeof fetch,
  vapid: VapidConfig,
  sub: PushSubscriptionKeys,
  payload: { title: string; body: string; data?: Record<string, unknown> },
  options: { ttlSeconds: number; topic?: string; urgency?: 'low' | 'normal' | 'high' },
  nowMs: number,
): Promise<ProviderOutcome> {
  const ttl = Math.min(MAX_TTL, Math.max(0, Math.floor(options.ttlSeconds) || 0))
  // A topic the push service would reject is better left out than sent.
  const topic = options.topic !== undefined && TOPIC.test(options.topic) ? options.topic : undefined
  // Keys nothing could be encrypted to: sending again changes nothing.
  const keysProblem = pushKeysProblem(sub)
  if (keysProblem) return { kind: 'refused', status: 0, reason: `web push: ${keysProblem}` }
  let built: Awaited<ReturnType<typeof buildPushPayload>>
  try {
    built = await buildPushPayload(
      { data: { title: payload.title, body: payload.body, data: payload.data ?? {} } as PushMessage['data'], options: { ttl, ...(options.urgency ? { urgency: options.urgency } : {}), ...(topic ? { topic } : {}) } },
      { endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      vapid,
    )
  } catch (e) {
    // A subscription the library refuses (not https) or a payload too large: sending again changes nothing.
    return { kind: 'refused', status: 0, reason: `web push: ${e instanceof Error ? e.message : String(e)}`.slice(0, 200) }
  }
  let res: Response
  try {
    // A push service never redirects a message; following one would post it somewhere unvetted.
    res = await fetchFn(sub.endpoint, { method: built.method, headers: built.headers, body: built.body, redirect: 'manual' })
  } catch {
    return { kind: 'retry', status: 0 }
  }
  // Only a refusal's body says anything worth keeping; the others are cancelled to free the connection.
  const refused = !res.ok && res.status !== 404 && res.status !== 410 && res.status !== 429 && res.status < 500
  if (!refused) await res.body?.cancel()
  if (res.ok) {
    const location = res.headers.get('location') // the message's URL at the push service (RFC 8030 §5)
    return location ? { kind: 'sent', providerId: location } : { kind: 'sent' }
  }
  // RFC 8030 §7.3: the subscription expired or was withdrawn; it will not come back.
  if (res.status === 404 || res.status === 410) return { kind: 'gone', status: res.status }
  if (res.status === 429 || res.status >= 500) {
    return retryLater(res, nowMs)
  }
  const text = (await res.text().catch(() => '')).trim()
  const reason = res.status >= 300 && res.status < 400 ? 'push service redirected' : res.status === 413 ? 'payload too large' : text || `push service answered ${res.status}`
  return { kind: 'refused', status: res.status, reason: reason.slice(0, 200) }
}
