/**
 * The /me page's notification settings form ↔ the body of `PUT /v1/me/notification-preferences`.
 * The form has a checkbox per notice type and channel, named `ch:<type>:<channel>` (a browser sends
 * only the ticked ones), quiet hours as two times and a time zone, and a digest. The API's rule is
 * "what is not set is on", so the body names only the switches turned off. Whether a type, a time
 * or a zone is real is the API's to judge.
 */
export const preferenceChannels = ['in_app', 'email', 'sms', 'push'] as const
export type PreferenceChannel = (typeof preferenceChannels)[number]
export const digestChoices = ['off', 'hourly', 'daily'] as const

export type PreferencesBody = {
  events: Record<string, Partial<Record<PreferenceChannel, boolean>>>
  quietHours?: { start: string; end: string; timeZone: string }
  digest?: (typeof digestChoices)[number]
}

export const switchName = (type: string, channel: PreferenceChannel): string => `ch:${type}:${channel}`

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

/** The form's fields, for the notice types the form showed, → the body, or what is wrong with the quiet hours. */
export function preferencesOf(fields: Record<string, unknown>, types: readonly string[]): { ok: true; body: PreferencesBody } | { ok: false; error: string } {
  const events: PreferencesBody['events'] = {}
  for (const type of types) {
    const off = preferenceChannels.filter((ch) => fields[switchName(type, ch)] === undefined)
    if (off.length > 0) events[type] = Object.fromEntries(off.map((ch) => [ch, false]))
  }
  const [start, end, timeZone] = [text(fields.quietStart), text(fields.quietEnd), text(fields.quietTimeZone)]
  const given = [start, end, timeZone].filter((v) => v !== '').length
  if (given > 0 && given < 3) return { ok: false, error: 'Quiet hours: give a start, an end and a time zone (or none of them)' }
  const digest = digestChoices.find((d) => d === fields.digest)
  return { ok: true, body: { events, ...(given === 3 ? { quietHours: { start, end, timeZone } } : {}), ...(digest ? { digest } : {}) } }
}

/** Whether the stored preferences leave `channel` on for `type` (unset is on). */
export function switchOn(prefs: Partial<Pick<PreferencesBody, 'events'>>, type: string, channel: PreferenceChannel): boolean {
  return prefs.events?.[type]?.[channel] !== false
}
