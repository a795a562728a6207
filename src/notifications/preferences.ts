import { z } from 'zod'
import { notificationTypes } from './notification-rules'
import { isTimeZone, minuteOfDay } from './quiet-hours'

/**
 * What a user chose about notifications (docs/NOTIFICATIONS.md "Notifications"): per notice type, which channels
 * carry it; quiet hours in their own time zone; a digest. What is not set is on, so a new type
 * reaches people until they turn it off, and `{ events: {} }` (or nothing stored) means everything.
 * Strict: a misspelt key is an error, not a setting silently ignored.
 */
export const channels = ['in_app', 'email', 'sms', 'push'] as const
export type Channel = (typeof channels)[number]

const ChannelSwitches = z.strictObject({ in_app: z.boolean().optional(), email: z.boolean().optional(), sms: z.boolean().optional(), push: z.boolean().optional() })

const NotificationType = z.string().refine((type) => notificationTypes.includes(type), 'must be a notification type')
const HourMinute = z.string().refine((hhmm) => minuteOfDay(hhmm) !== null, 'must be a time from 00:00 to 23:59')
const TimeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')

export const QuietHoursSchema = z.strictObject({
  /** Equal start and end mean no quiet hours; a start after the end runs across midnight. */
  start: HourMinute,
  end: HourMinute,
  timeZone: TimeZone,
})

export const NotificationPreferences = z.strictObject({
  events: z.record(NotificationType, ChannelSwitches).default({}),
  quietHours: QuietHoursSchema.optional(),
  /** Absent means off: each notice goes out on its own. */
  digest: z.enum(['off', 'hourly', 'daily']).optional(),
})
export type NotificationPreferences = z.infer<typeof NotificationPreferences>
export type Preferences = NotificationPreferences

/** The channels that carry notices of `type`: all of them, less those the user turned off. */
export function channelsFor(p: Preferences, type: string): Channel[] {
  const switches = p.events[type]
  return channels.filter((channel) => switches?.[channel] !== false)
}
