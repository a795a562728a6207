import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { preferenceChannels, preferencesOf, switchName, switchOn } from '../../../../src/web/site/preferences-form'

const types = ['bid.outbid', 'order.shipped', 'offer.received'] as const
const allOn = Object.fromEntries(types.flatMap((t) => preferenceChannels.map((ch) => [switchName(t, ch), 'on'])))

describe('preferencesOf', () => {
  it('names only the switches turned off (what is not set is on)', () => {
    const { [switchName('bid.outbid', 'email')]: _e, [switchName('order.shipped', 'sms')]: _s, ...fields } = allOn
    expect(preferencesOf({ ...fields, digest: 'daily' }, types)).toEqual({ ok: true, body: { events: { 'bid.outbid': { email: false }, 'order.shipped': { sms: false } }, digest: 'daily' } })
    expect(preferencesOf(allOn, types)).toEqual({ ok: true, body: { events: {} } })
  })

  it('takes quiet hours whole or not at all', () => {
    expect(preferencesOf({ ...allOn, quietStart: '22:00', quietEnd: '07:00', quietTimeZone: 'Europe/Paris' }, types)).toEqual({
      ok: true,
      body: { events: {}, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' } },
    })
    const half = preferencesOf({ ...allOn, quietStart: '22:00', quietEnd: '', quietTimeZone: '' }, types)
    expect(half.ok).toBe(false)
    if (!half.ok) expect(half.error).toMatch(/^Quiet hours/)
  })

  it('ignores a digest it does not know and switches of types the form did not show', () => {
    expect(preferencesOf({ ...allOn, digest: 'weekly', 'ch:made.up:email': 'on' }, types)).toEqual({ ok: true, body: { events: {} } })
  })

  it('reads back, switch by switch, what the form sent', () => {
    const names = types.flatMap((t) => preferenceChannels.map((ch) => [t, ch] as const))
    fc.assert(
      fc.property(fc.subarray(names), (ticked) => {
        const fields = Object.fromEntries(ticked.map(([t, ch]) => [switchName(t, ch), 'on']))
        const r = preferencesOf(fields, types)
        expect(r.ok).toBe(true)
        if (!r.ok) return
        for (const [t, ch] of names) expect(switchOn(r.body, t, ch)).toBe(ticked.some(([a, b]) => a === t && b === ch))
      }),
    )
  })
})
