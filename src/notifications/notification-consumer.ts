import { z } from 'zod'
import { settingsOf } from '../config'
import type { Logger } from '../core/logger'
import type { EventEnvelope } from '../events/event-envelope'
import type { EventHandlers } from '../events/events-consumer'
import { listingEventTypes } from '../listings/listing-events'
import { orderEventTypes } from '../orders/order-event'
import { retryWithBackoff } from '../platform/queue-retry'
import { newId, systemClock } from '../platform/runtime'
import { channelAdapter } from './channel-adapters'
import { nextDigestAt } from './digest'
import { noticesFor, type Notice } from './notification-rules'
import { claimDue, loadPreferences, planDispatch, recordNotice, userEmail } from './notification-store'
import { channelsFor, NotificationPreferences, type Channel } from './preferences'
import { deliverAt } from './quiet-hours'
import { silencingSince } from './throttle'
import { pushLive } from './live-push-consumer'

/** Cloudflare Queues delay a message by at most 12 hours; a later send is re-queued on arrival. */
const MAX_DELAY_SECONDS = 12 * 3600

export const NotificationJob = z.object({
  kind: z.enum(['send', 'digest']),
  userId: z.string(),
  channel: z.enum(['email', 'sms', 'push']),
  notificationId: z.string().nullable(),
  dueAt: z.iso.datetime(),
})
export type NotificationJob = z.infer<typeof NotificationJob>

/**
 * From the events queue: each event's notices (notification-rules.ts) for the people they
 * concern, through their preferences. A notice is recorded once per (event, person, type), so a
 * redelivered event notifies nobody twice; notices sharing a throttle key (outbids on one
 * listing) go out at most once per window. In-app is the inbox; email, SMS and push are planned
 * for when quiet hours end (payment and security notices ignore them) or, with a digest, for the
 * next digest, and sent from the notifications queue.
 */
export async function notifyFromEvent(event: EventEnvelope, env: Env): Promise<void> {
  const now = systemClock()
  for (const notice of noticesFor(event)) await deliverNotice(env, event.id, notice, now)
}

/** One notice to one person, through their preferences; `eventId` (with the person and type) makes it once. */
export async function deliverNotice(env: Env, eventId: string, notice: Notice, now: Date): Promise<void> {
  const parsed = NotificationPreferences.safeParse(await loadPreferences(env.DB, notice.userId))
  const prefs = parsed.success ? parsed.data : { events: {} }
  const chosen = channelsFor(prefs, notice.type)
  if (chosen.length === 0) return
  const id = newId('ntf', now)
  if (!(await recordNotice(env.DB, id, eventId, notice, chosen.includes('in_app'), now.toISOString(), silencingSince(now).toISOString()))) return
  if (chosen.includes('in_app')) await pushLive(env, notice.userId, { type: 'notification', data: { id, type: notice.type, category: notice.category, title: notice.title, body: notice.body, data: notice.data, createdAt: now.toISOString() } })
  for (const channel of chosen.filter((c): c is Exclude<Channel, 'in_app'> => c !== 'in_app')) {
    const digestAt = notice.category === 'activity' && prefs.digest ? nextDigestAt(prefs.digest, prefs.quietHours?.timeZone, now) : null
    const due = digestAt ?? deliverAt(notice.category, prefs.quietHours, now)
    await planDispatch(env.DB, id, notice.userId, channel, due.toISOString(), digestAt !== null)
    await enqueue(env, { kind: digestAt ? 'digest' : 'send', userId: notice.userId, channel, notificationId: digestAt ? null : id, dueAt: due.toISOString() }, now)
  }
}

async function enqueue(env: Env, job: NotificationJob, now: Date): Promise<void> {
  const delaySeconds = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((Date.parse(job.dueAt) - now.getTime()) / 1000)))
  await env.NOTIFICATIONS.send(job, { contentType: 'json', delaySeconds })
}

export const notificationHandlers: EventHandlers = Object.fromEntries([...listingEventTypes, ...orderEventTypes].map((t) => [t, notifyFromEvent]))

/**
 * Consumes `souk-notifications`: claims what is due (one notice, or a person's whole digest) and
 * sends it through the channel's adapter; a claim that fails to send is released and retried.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  for (const msg of batch.messages) {
    const job = NotificationJob.safeParse(msg.body)
    if (!job.success) {
      log.error('notification_job_malformed', { messageId: msg.id })
      msg.ack()
      continue
    }
    try {
      await sendDue(env, job.data, log)
      msg.ack()
    } catch (err) {
      log.error('notification_send_failed', { userId: job.data.userId, channel: job.data.channel, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, { baseSeconds: 5, capSeconds: 600 })
    }
  }
}

async function sendDue(env: Env, job: NotificationJob, log: Logger): Promise<void> {
  const now = systemClock()
  if (Date.parse(job.dueAt) > now.getTime()) return enqueue(env, job, now) // arrived early (a delay over 12 h)
  const due = await claimDue(env.DB, job.userId, job.channel, now.toISOString(), job.notificationId)
  if (due.length === 0) return
  const adapter = channelAdapter(env, settingsOf(env), log)
  const recipient = job.channel === 'email' ? await userEmail(env.DB, job.userId) : job.userId
  if (!recipient) return // erased: nothing to send to
  const subject = due.length === 1 ? (due[0]?.title ?? '') : `${due.length} updates from Souk`
  const body = due.map((d) => (due.length === 1 ? d.body : `• ${d.title}: ${d.body}`)).join('\n')
  try {
    await adapter.send({ channel: job.channel, userId: job.userId, recipient, subject, body, notificationId: due[0]?.notificationId ?? '' })
  } catch (err) {
    await releaseClaims(env.DB, job, due.map((d) => d.notificationId))
    throw err
  }
}

async function releaseClaims(d1: D1Database, job: NotificationJob, ids: string[]): Promise<void> {
  await d1
    .prepare('UPDATE notification_dispatches SET sent_at = NULL WHERE user_id = ? AND channel = ? AND notification_id IN (SELECT value FROM json_each(?))')
    .bind(job.userId, job.channel, JSON.stringify(ids))
    .run()
}
