import { describe, expect, it } from 'vitest'
import type { NotificationCategory } from '../../../src/notifications/notification-rules'
import { outboundChannels, planNotice, type OutboundChannel } from '../../../src/notifications/notification-plan'
import { NotificationPreferences, type Channel } from '../../../src/notifications/preferences'

/**
 * Every combination of channel switches (on, off, unset), reachable channels, category and digest,
 * with quiet hours 22:00–07:00 in two time zones, at instants on the injected clock whose local
 * reading is worked out by hand below (winter and summer offsets both).
 */
type Moment = { now: string; zone: string; quietEnd: string | null; hourly: string; daily: string }
const moments: Moment[] = [
  // 23:30 in Paris (UTC+1): quiet until 07:00 local; next daily digest 08:00 local.
  { now: '2030-01-15T22:30:00.000Z', zone: 'Europe/Paris', quietEnd: '2030-01-16T06:00:00.000Z', hourly: '2030-01-15T23:00:00.000Z', daily: '2030-01-16T07:00:00.000Z' },
  // 14:30 in Los Angeles (UTC-8): not quiet; the next 08:00 is tomorrow's.
  { now: '2030-01-15T22:30:00.000Z', zone: 'America/Los_Angeles', quietEnd: null, hourly: '2030-01-15T23:00:00.000Z', daily: '2030-01-16T16:00:00.000Z' },
  // 13:00 in Paris: not quiet; 08:00 has passed today.
  { now: '2030-01-15T12:00:00.000Z', zone: 'Europe/Paris', quietEnd: null, hourly: '2030-01-15T13:00:00.000Z', daily: '2030-01-16T07:00:00.000Z' },
  // 04:00 in Los Angeles: quiet until 07:00 local; 08:00 today is still ahead.
  { now: '2030-01-15T12:00:00.000Z', zone: 'America/Los_Angeles', quietEnd: '2030-01-15T15:00:00.000Z', hourly: '2030-01-15T13:00:00.000Z', daily: '2030-01-15T16:00:00.000Z' },
  // Summer: 23:30 in Paris (UTC+2) and 14:30 in Los Angeles (UTC-7).
  { now: '2030-07-15T21:30:00.000Z', zone: 'Europe/Paris', quietEnd: '2030-07-16T05:00:00.000Z', hourly: '2030-07-15T22:00:00.000Z', daily: '2030-07-16T06:00:00.000Z' },
  { now: '2030-07-15T21:30:00.000Z', zone: 'America/Los_Angeles', quietEnd: null, hourly: '2030-07-15T22:00:00.000Z', daily: '2030-07-16T15:00:00.000Z' },
]

const switchValues = [true, false, undefined] as const
const switchCombos: Array<Partial<Record<Channel, boolean>>> = []
for (const in_app of switchValues)
  for (const email of switchValues)
    for (const sms of switchValues)
      for (const push of switchValues) {
        const combo = Object.fromEntries(Object.entries({ in_app, email, sms, push }).filter(([, v]) => v !== undefined)) as Partial<Record<Channel, boolean>>
        switchCombos.push(combo)
      }
const reachableSets: OutboundChannel[][] = [[], ['email'], ['sms'], ['push'], ['email', 'sms'], ['email', 'push'], ['sms', 'push'], ['email', 'sms', 'push']]
const categories: NotificationCategory[] = ['activity', 'payment', 'security']
const digests = [undefined, 'off', 'hourly', 'daily'] as const

describe('planNotice', () => {
  it('follows every combination of switches, reachability, category, digest and quiet hours in two time zones', () => {
    let checked = 0
    for (const m of moments)
      for (const switches of switchCombos)
        for (const reachable of reachableSets)
          for (const category of categories)
            for (const digest of digests) {
              const prefs = NotificationPreferences.parse({ events: { 'order.shipped': switches }, quietHours: { start: '22:00', end: '07:00', timeZone: m.zone }, ...(digest ? { digest } : {}) })
              const plan = planNotice(prefs, reachable, { type: 'order.shipped', category }, new Date(m.now))
              const on = (c: Channel) => switches[c] !== false
              const sent = outboundChannels.filter((c) => on(c) && reachable.includes(c))
              if (!on('in_app') && sent.length === 0) {
                expect(plan).toBeNull()
                continue
              }
              const digested = category === 'activity' && (digest === 'hourly' || digest === 'daily')
              const due = digested ? m[digest] : category === 'activity' && m.quietEnd ? m.quietEnd : m.now
              expect(plan).toEqual({ inApp: on('in_app'), sends: sent.map((channel) => ({ channel, dueAt: new Date(due), digest: digested })) })
              checked++
            }
    expect(checked).toBeGreaterThan(10_000) // the loops above ran, and most combinations carry the notice somewhere
  })

  it('leaves other types on every channel when one type is switched off', () => {
    const prefs = NotificationPreferences.parse({ events: { 'bid.outbid': { in_app: false, email: false, sms: false, push: false } } })
    const now = new Date('2030-01-15T12:00:00.000Z')
    expect(planNotice(prefs, ['email', 'sms', 'push'], { type: 'bid.outbid', category: 'activity' }, now)).toBeNull()
    expect(planNotice(prefs, ['email', 'sms', 'push'], { type: 'order.paid', category: 'payment' }, now)).toEqual({
      inApp: true,
      sends: ['email', 'sms', 'push'].map((channel) => ({ channel, dueAt: now, digest: false })),
    })
  })
})
