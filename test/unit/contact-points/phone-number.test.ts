import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizePhone } from '../../../src/contact-points/phone-number'

describe('normalizePhone', () => {
  it.each([
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['0033 6.12.34.56.78', '+33612345678'],
    ['  +44 20 7946 0958 ', '+442079460958'],
    ['+861012345678', '+861012345678'],
  ])('takes %j as %s', (raw, e164) => {
    expect(normalizePhone(raw)).toBe(e164)
  })

  it.each([
    ['a national number without its country code', '06 12 34 56 78'],
    ['a country code starting with 0', '+0123456789'],
    ['too short', '+12345'],
    ['more than 15 digits', '+1234567890123456'],
    ['letters', '+1 800 FLOWERS'],
    ['two plus signs', '++33612345678'],
    ['an extension', '+14155550100 ext 12'],
    ['empty', ''],
  ])('refuses %s', (_name, raw) => {
    expect(normalizePhone(raw)).toBeNull()
  })

  it('answers E.164 or nothing, and the same for what it answered (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (raw) => {
        const e164 = normalizePhone(raw)
        if (e164 === null) return
        expect(e164).toMatch(/^\+[1-9]\d{6,14}$/)
        expect(normalizePhone(e164)).toBe(e164)
      }),
    )
  })
})
