import type { Settings } from '../config'
import type { PushSubscriptionRow } from '../contact-points/contact-point-store'
import { cloudflareDoh } from '../platform/doh-resolver'
import { newId, systemClock } from '../platform/runtime'
import { outboundHostProblem, type ResolveHost } from '../webhook-endpoints/outbound-host'
import { outboundChannels, type OutboundChannel } from './notification-plan'
import { addToOutbox } from './notification-store'
import type { ProviderOutcome } from './provider-outcome'
import { sendResendEmail } from './resend-email-client'
import { sendTwilioSms } from './twilio-sms-client'
import { sendWebPush } from './web-push-client'

/** Where one message goes: a person's e-mail address, verified phone, or one of their browsers. */
export type Address = { channel: 'email'; email: string } | { channel: 'sms'; phone: string } | { channel: 'push'; subscription: PushSubscriptionRow }

/** What identifies an address among a person's others (the subscription id, not its long URL). */
export function addressKey(a: Address): string {
  if (a.channel === 'email') return a.email
  if (a.channel === 'sms') return a.phone
  return a.subscription.id
}

/**
 * One message, ready to leave. `ref` names it for the provider's idempotency key and the outbox
 * (a notice id, or the first notice of a digest); `urgent` messages (payment, security) ask push
 * services for high urgency and a day to reach a sleeping device.
 */
export type OutgoingMessage = { userId: string; ref: string; subject: string; body: string; urgent: boolean; data: Record<string, unknown> }

/** One channel's way out, behind one interface: the development outbox or a provider's HTTP API. */
export interface ChannelAdapter {
  /** What the provider's rate limit counts against (one per provider, one per push service), or null for none. */
  quotaSubject(a: Address): string | null
  send(a: Address, m: OutgoingMessage): Promise<ProviderOutcome>
}

/** The channels this deployment can send on: all of them into the outbox, else those with a provider. */
export function offeredChannels(settings: Settings): OutboundChannel[] {
  const n = settings.notifications
  return n.delivery === 'outbox' ? [...outboundChannels] : outboundChannels.filter((c) => n[c] !== null)
}

/**
 * The adapters this deployment has. `outbox` (local runs): every channel lands in the development
 * outbox. `providers`: Resend, Twilio and web push with VAPID, each only when configured; a
 * channel without one is absent, and nothing is planned for it (notification-consumer.ts).
 */
export function channelAdapters(env: Env, settings: Settings, fetchWith: typeof fetch = fetch, resolveHost: ResolveHost = cloudflareDoh): Partial<Record<OutboundChannel, ChannelAdapter>> {
  const n = settings.notifications
  if (n.delivery === 'outbox') {
    const outbox = outboxAdapter(env.DB)
    return { email: outbox, sms: outbox, push: outbox }
  }
  const adapters: Partial<Record<OutboundChannel, ChannelAdapter>> = {}
  const { email, sms, push } = n
  // A provider that does not answer is one that said "later": the send is retried, the claim's lease stays short.
  const fetchFn: typeof fetch = (input, init) => fetchWith(input, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) })
  if (email) {
    adapters.email = adapter('email', () => 'resend', (a, m) =>
      sendResendEmail(fetchFn, email, { to: a.email, subject: m.subject, text: m.body, idempotencyKey: `${m.ref}:email` }, Date.now()),
    )
  }
  if (sms) adapters.sms = adapter('sms', () => 'twilio', (a, m) => sendTwilioSms(fetchFn, sms, { to: a.phone, body: smsText(m) }, Date.now()))
  if (push) {
    // Each push service (FCM, Mozilla, Apple…) has its own limits.
    adapters.push = adapter('push', (a) => `push:${new URL(a.subscription.endpoint).origin}`, async (a, m) => {
      // A browser chose this URL: in production Souk connects only to a host that resolves to public addresses.
      const hostProblem = settings.environment === 'production' ? await outboundHostProblem(a.subscription.endpoint, resolveHost) : null
      if (hostProblem?.kind === 'refused') return { kind: 'gone', status: 0 } // no push service lives there: forget it
      if (hostProblem) return { kind: 'retry', status: 0 } // Souk's resolver failed: try again later
      return sendWebPush(fetchFn, push, a.subscription, { title: m.subject, body: m.body, data: m.data }, { ttlSeconds: m.urgent ? 86_400 : 4 * 3600, urgency: m.urgent ? 'high' : 'normal' }, Date.now())
    })
  }
  return adapters
}

/** Each call to a provider gets this long to answer. */
const PROVIDER_TIMEOUT_MS = 10_000

type AddressOf<C extends OutboundChannel> = Extract<Address, { channel: C }>

/** An adapter for one channel's addresses; another channel's address reaching it is a bug. */
function adapter<C extends OutboundChannel>(
  channel: C,
  quotaSubject: (a: AddressOf<C>) => string | null,
  send: (a: AddressOf<C>, m: OutgoingMessage) => Promise<ProviderOutcome>,
): ChannelAdapter {
  const own = (a: Address): AddressOf<C> => {
    if (a.channel !== channel) throw new Error(`a ${a.channel} address reached the ${channel} adapter`)
    return a as AddressOf<C>
  }
  return { quotaSubject: (a) => quotaSubject(own(a)), send: (a, m) => send(own(a), m) }
}

/** Development: the message is kept for GET /v1/dev/outbox instead of leaving. */
function outboxAdapter(d1: D1Database): ChannelAdapter {
  return {
    quotaSubject: () => null,
    async send(a, m) {
      const id = newId('obx')
      const recipient = a.channel === 'email' ? a.email : a.channel === 'sms' ? a.phone : a.subscription.endpoint
      await addToOutbox(d1, { id, channel: a.channel, userId: m.userId, recipient, subject: m.subject, body: a.channel === 'sms' ? smsText(m) : m.body, notificationId: m.ref, createdAt: systemClock().toISOString() })
      return { kind: 'sent', providerId: id }
    },
  }
}

/** SMS has no subject line: the title leads the text. */
const smsText = (m: OutgoingMessage): string => (m.subject ? `${m.subject}\n${m.body}` : m.body)
