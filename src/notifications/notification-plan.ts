import { nextDigestAt } from './digest'
import type { NotificationCategory } from './notification-rules'
import { channelsFor, type Channel, type Preferences } from './preferences'
import { deliverAt } from './quiet-hours'

/** The channels that leave Souk (in-app is the inbox itself). */
export type OutboundChannel = Exclude<Channel, 'in_app'>
export const outboundChannels: readonly OutboundChannel[] = ['email', 'sms', 'push']

export type PlannedSend = { channel: OutboundChannel; dueAt: Date; digest: boolean }
export type NoticePlan = { inApp: boolean; sends: PlannedSend[] }

/**
 * What becomes of one notice for one person, decided from their preferences and where they can
 * be reached (`reachable`: a channel with a provider and an address, such as a verified phone).
 * In-app when that switch is on; each other channel that is on and reachable gets a send, due:
 * for activity with a digest, at the next digest; for activity in quiet hours, when they end;
 * otherwise (and always for payment and security) at once. Null when nothing would carry it.
 */
export function planNotice(
  prefs: Preferences,
  reachable: readonly OutboundChannel[],
  notice: { type: string; category: NotificationCategory },
  now: Date,
): NoticePlan | null {
  const chosen = channelsFor(prefs, notice.type)
  const inApp = chosen.includes('in_app')
  const outbound = outboundChannels.filter((c) => chosen.includes(c) && reachable.includes(c))
  if (!inApp && outbound.length === 0) return null
  const digestAt = notice.category === 'activity' && prefs.digest ? nextDigestAt(prefs.digest, prefs.quietHours?.timeZone, now) : null
  const dueAt = digestAt ?? deliverAt(notice.category, prefs.quietHours, now)
  return { inApp, sends: outbound.map((channel) => ({ channel, dueAt, digest: digestAt !== null })) }
}
