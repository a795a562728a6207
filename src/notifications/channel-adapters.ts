import type { Settings } from '../config'
import type { Logger } from '../core/logger'
import { newId, systemClock } from '../platform/runtime'
import { addToOutbox } from './notification-store'

/** One message on one channel, ready to leave the system. */
export type Outgoing = { channel: 'email' | 'sms' | 'push'; userId: string; recipient: string; subject: string; body: string; notificationId: string }

export interface ChannelAdapter {
  send(m: Outgoing): Promise<void>
}

/**
 * Where outgoing messages go. Locally (development) everything lands in the development outbox
 * (`GET /v1/dev/outbox`). In production email goes through Resend's HTTP API when RESEND_API_KEY is
 * set; SMS and push have no provider yet (and Souk keeps no phone numbers or push subscriptions),
 * so they are logged and dropped rather than pretended.
 */
export function channelAdapter(env: Env, settings: Settings, log: Logger): ChannelAdapter {
  if (settings.environment === 'development') {
    return {
      send: (m) => addToOutbox(env.DB, { id: newId('obx'), ...m, createdAt: systemClock().toISOString() }),
    }
  }
  return {
    async send(m) {
      const email = settings.notifications.email
      if (m.channel !== 'email' || !email.resendApiKey) {
        log.warn('notification_channel_unavailable', { channel: m.channel, userId: m.userId })
        return
      }
      const res = await fetch(`${email.apiBase}/emails`, {
        method: 'POST',
        headers: { authorization: `Bearer ${email.resendApiKey}`, 'content-type': 'application/json', 'idempotency-key': `${m.notificationId}:email` },
        body: JSON.stringify({ from: email.from, to: [m.recipient], subject: m.subject, text: m.body }),
      })
      // 4xx other than 429 will not get better by retrying: logged, not retried.
      if (res.status === 429 || res.status >= 500) throw new Error(`email provider answered ${res.status}`)
      if (!res.ok) log.error('notification_email_refused', { status: res.status, userId: m.userId })
    },
  }
}
