import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { notificationTypes } from '../../../src/notifications/notification-rules'
import { channels, channelsFor, NotificationPreferences, type Channel } from '../../../src/notifications/preferences'

describe('NotificationPreferences', () => {
  it('reads nothing set as everything on', () => {
    const p = NotificationPreferences.parse({})
    expect(p).toEqual({ events: {} })
    for (const type of notificationTypes) expect(channelsFor(p, type)).toEqual([...channels])
  })

  it('accepts the contract’s example', () => {
    const body = {
      events: { 'bid.outbid': { email: false, push: true }, 'order.shipped': {} },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
      digest: 'daily',
    }
    expect(NotificationPreferences.parse(body)).toEqual(body)
  })

  it.each(['00:00', '23:59', '07:05', '12:00'])('accepts %s as a time', (time) => {
    expect(NotificationPreferences.safeParse({ quietHours: { start: time, end: '07:00', timeZone: 'UTC' } }).success).toBe(true)
  })

  it.each(['24:00', '7:00', '12:60', '12:5', '12-00', ' 12:00', '12:00:00', ''])('refuses %j as a time', (time) => {
    expect(NotificationPreferences.safeParse({ quietHours: { start: time, end: '07:00', timeZone: 'UTC' } }).success).toBe(false)
    expect(NotificationPreferences.safeParse({ quietHours: { start: '07:00', end: time, timeZone: 'UTC' } }).success).toBe(false)
  })

  it.each(['Europe/Paris', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'])('accepts the time zone %s', (timeZone) => {
    expect(NotificationPreferences.safeParse({ quietHours: { start: '22:00', end: '07:00', timeZone } }).success).toBe(true)
  })

  it.each(['Mars/Olympus_Mons', 'Paris', '', 'Europe/Paris '])('refuses the time zone %j', (timeZone) => {
    const result = NotificationPreferences.safeParse({ quietHours: { start: '22:00', end: '07:00', timeZone } })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['quietHours', 'timeZone'])
  })

  it('refuses what it does not know, rather than ignoring it', () => {
    const refused = (body: unknown) => NotificationPreferences.safeParse(body).success === false
    expect(refused({ events: { 'bid.placed': { email: false } } })).toBe(true) // an event type, not a notification type
    expect(refused({ events: { 'bid.outbid': { fax: false } } })).toBe(true)
    expect(refused({ events: { 'bid.outbid': { email: 'no' } } })).toBe(true)
    expect(refused({ events: { 'bid.outbid': null } })).toBe(true)
    expect(refused({ events: {}, dnd: true })).toBe(true)
    expect(refused({ quietHours: { start: '22:00', end: '07:00' } })).toBe(true)
    expect(refused({ quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC', days: [] } })).toBe(true)
    expect(refused({ digest: 'weekly' })).toBe(true)
    expect(refused({ digest: null })).toBe(true)
  })
})

describe('channelsFor', () => {
  const switchOf = fc.constantFrom(true, false, undefined)

  it('carries a type on every channel not turned off, for every combination (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...notificationTypes), fc.tuple(switchOf, switchOf, switchOf, switchOf), fc.constantFrom(...notificationTypes), (type, [in_app, email, sms, push], other) => {
        const switches = Object.fromEntries(Object.entries({ in_app, email, sms, push }).filter(([, on]) => on !== undefined))
        const p = NotificationPreferences.parse({ events: { [type]: switches } })
        const expected = channels.filter((c: Channel) => ({ in_app, email, sms, push })[c] !== false)
        expect(channelsFor(p, type)).toEqual(expected)
        // Another type's switches leave this one alone.
        if (other !== type) expect(channelsFor(p, other)).toEqual([...channels])
      }),
    )
  })

  it('answers all channels for a type it has never heard of', () => {
    expect(channelsFor({ events: {} }, 'account.new_login')).toEqual([...channels])
  })
})
