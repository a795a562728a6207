import { settingsOf } from '../config'
import type { SoukEvent } from '../events/contract/souk-event'
import { newId, systemClock } from '../platform/runtime'
import { offeredChannels } from './channel-adapters'
import { pushLive } from './user-live-push'
import { enqueueNotificationJobs, type NotificationJob } from './notification-job'
import { planNotice } from './notification-plan'
import { noticesFor, type Notice } from './notification-rules'
import { recordNotice, unsentDispatches, type Dispatch } from './notification-store'
import { NotificationPreferences } from './preferences'
import { recipientOf } from './recipient-store'
import { silencingWindow } from './throttle'

/**
 * The `notifications` consumer: each event's notices (notification-rules.ts) for the people they
 * concern, planned by their preferences and where they can be reached (notification-plan.ts).
 * A notice is recorded once per (event, person, type), with its dispatches in the same
 * transaction, so a redelivered event notifies nobody twice; notices sharing a throttle key
 * (outbids on one listing) go out at most once per window. In-app is the inbox (and a push on the
 * live channel); e-mail, SMS and push are queued for when they are due and sent from
 * `souk-notifications` (notification-dispatch-consumer.ts).
 */
export async function notifyFromEvent(event: SoukEvent, env: Env): Promise<void> {
  const now = systemClock()
  const { id, occurredAt } = event.envelope
  for (const notice of noticesFor(event)) await deliverNotice(env, { id, at: new Date(occurredAt) }, notice, now)
}

/**
 * One notice to one person about an event; the event's id (with the person and type) makes it
 * once, and its time places it for the throttle. `now` plans the sends (quiet hours, digest).
 */
export async function deliverNotice(env: Env, event: { id: string; at: Date }, notice: Notice, now: Date): Promise<void> {
  const recipient = await recipientOf(env.DB, notice.userId)
  if (!recipient) return // no such person, or erased: nobody to tell
  const parsed = NotificationPreferences.safeParse(recipient.preferences)
  const offered = offeredChannels(settingsOf(env))
  const plan = planNotice(parsed.success ? parsed.data : { events: {} }, recipient.reachable.filter((c) => offered.includes(c)), notice, now)
  if (!plan) return
  const id = newId('ntf', now)
  const dispatches: Dispatch[] = plan.sends.map((s) => ({ channel: s.channel, dueAt: s.dueAt.toISOString(), digest: s.digest }))
  const window = silencingWindow(event.at)
  const silencing = { after: window.after.toISOString(), before: window.before.toISOString() }
  const recorded = await recordNotice(env.DB, { id, eventId: event.id, eventAt: event.at.toISOString(), notice, inApp: plan.inApp, at: now.toISOString(), silencing, dispatches })
  if (!recorded) {
    // A repeat: queue again whatever the first run recorded but may not have queued (a job that finds it sent does nothing).
    const pending = await unsentDispatches(env.DB, event.id, notice.userId, notice.type)
    await enqueueNotificationJobs(env, pending.map((d) => jobFor(notice.userId, d.notificationId, d)), now)
    return
  }
  if (plan.inApp) await pushLive(env, notice.userId, { type: 'notification', data: { id, type: notice.type, category: notice.category, title: notice.title, body: notice.body, data: notice.data, createdAt: now.toISOString() } })
  await enqueueNotificationJobs(env, dispatches.map((d) => jobFor(notice.userId, id, d)), now)
}

/** A digest dispatch is sent by the person's digest job (all that is due then), not on its own. */
const jobFor = (userId: string, notificationId: string, d: Dispatch): NotificationJob =>
  d.digest ? { kind: 'digest', userId, channel: d.channel, notificationId: null, dueAt: d.dueAt } : { kind: 'send', userId, channel: d.channel, notificationId, dueAt: d.dueAt }
