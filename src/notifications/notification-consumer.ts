import { settingsOf } from '../config'
import type { SoukEvent } from '../events/contract/souk-event'
import { newId, systemClock } from '../platform/runtime'
import { offeredChannels } from './channel-adapters'
import { pushLive, type LiveMessage } from './user-live-client'
import { enqueueNotificationJobs, type NotificationJob } from './notification-job'
import { planNotice } from './notification-plan'
import { noticesFor, type Notice } from './notification-rules'
import { recordNotices, unsentDispatches, type Dispatch } from './notification-store'
import { NotificationPreferences } from './preferences'
import { recipientsOf } from './recipient-store'
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
export async function notifyFromEvents(events: SoukEvent[], env: Env): Promise<void> {
  const now = systemClock()
  const wanted = events.flatMap((e) => noticesFor(e).map((notice) => ({ event: { id: e.envelope.id, at: new Date(e.envelope.occurredAt) }, notice })))
  await deliverNotices(env, wanted, now)
}

/** About an event: its id (with the person and type, it makes a notice once) and its time (the throttle's). */
export type NoticeEvent = { id: string; at: Date }

/** One notice to one person about an event (see `deliverNotices`). */
export async function deliverNotice(env: Env, event: NoticeEvent, notice: Notice, now: Date): Promise<void> {
  await deliverNotices(env, [{ event, notice }], now)
}

/**
 * Notices, each to its person about its event, in a few round trips however many: one read of
 * everyone's preferences and channels, one D1 batch recording the notices with their dispatches
 * (in order, so the throttle sees the notices before it in the same batch), then the live pushes
 * and one queue send of the dispatches. `now` plans the sends (quiet hours, digest).
 */
export async function deliverNotices(env: Env, wanted: { event: NoticeEvent; notice: Notice }[], now: Date): Promise<void> {
  if (wanted.length === 0) return
  const recipients = await recipientsOf(env.DB, [...new Set(wanted.map((w) => w.notice.userId))])
  const offered = offeredChannels(settingsOf(env))
  const planned = wanted.flatMap(({ event, notice }) => {
    const recipient = recipients.get(notice.userId)
    if (!recipient) return [] // no such person, or erased: nobody to tell
    const parsed = NotificationPreferences.safeParse(recipient.preferences)
    const plan = planNotice(parsed.success ? parsed.data : { events: {} }, recipient.reachable.filter((c) => offered.includes(c)), notice, now)
    if (!plan) return []
    const dispatches: Dispatch[] = plan.sends.map((s) => ({ channel: s.channel, dueAt: s.dueAt.toISOString(), digest: s.digest }))
    const window = silencingWindow(event.at)
    const silencing = { after: window.after.toISOString(), before: window.before.toISOString() }
    return [{ id: newId('ntf', now), eventId: event.id, eventAt: event.at.toISOString(), notice, inApp: plan.inApp, at: now.toISOString(), silencing, dispatches }]
  })
  const recorded = await recordNotices(env.DB, planned)
  const jobs: NotificationJob[] = []
  const pushes: { userId: string; message: LiveMessage }[] = []
  for (const [i, p] of planned.entries()) {
    const { notice } = p
    if (recorded[i]) {
      const data = { id: p.id, type: notice.type, category: notice.category, title: notice.title, body: notice.body, data: notice.data, createdAt: p.at }
      if (p.inApp) pushes.push({ userId: notice.userId, message: { type: 'notification', data } })
      jobs.push(...p.dispatches.map((d) => jobFor(notice.userId, p.id, d)))
    } else {
      // A repeat: queue again whatever the first run recorded but may not have queued (a job that finds it sent does nothing).
      const pending = await unsentDispatches(env.DB, p.eventId, notice.userId, notice.type)
      jobs.push(...pending.map((d) => jobFor(notice.userId, d.notificationId, d)))
    }
  }
  await Promise.all([pushLive(env, pushes), enqueueNotificationJobs(env, jobs, now)])
}

/** A digest dispatch is sent by the person's digest job (all that is due then), not on its own. */
const jobFor = (userId: string, notificationId: string, d: Dispatch): NotificationJob =>
  d.digest ? { kind: 'digest', userId, channel: d.channel, notificationId: null, dueAt: d.dueAt } : { kind: 'send', userId, channel: d.channel, notificationId, dueAt: d.dueAt }
