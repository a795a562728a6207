import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMoney, formatWhen, timeLeft } from '../../../../src/web/site/site-format'

describe('formatMoney', () => {
  it('writes minor units with the currency’s sign and two decimals', () => {
    expect(formatMoney({ amount: 1250, currency: 'USD' })).toBe('$12.50')
    expect(formatMoney({ amount: 120000, currency: 'EUR' })).toBe('€1,200.00')
    expect(formatMoney({ amount: 5, currency: 'GBP' })).toBe('£0.05')
    expect(formatMoney({ amount: 100, currency: 'CAD' })).toBe('CA$1.00')
  })

  it('never loses a cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (amount) => {
        const digits = formatMoney({ amount, currency: 'USD' }).replace(/[^0-9]/g, '')
        expect(Number(digits)).toBe(amount)
      }),
    )
  })
})

describe('timeLeft', () => {
  const now = Date.parse('2026-03-16T12:00:00Z')
  it('says days and hours, hours and minutes, or minutes and seconds', () => {
    expect(timeLeft(now + (2 * 86_400 + 3 * 3600 + 59) * 1000, now)).toBe('2d 3h left')
    expect(timeLeft(now + (5 * 3600 + 7 * 60) * 1000, now)).toBe('5h 07m left')
    expect(timeLeft(now + (4 * 60 + 5) * 1000 + 999, now)).toBe('4m 05s left')
    expect(timeLeft(now + 1000, now)).toBe('0m 01s left')
  })

  it('says Ended at or after the end, and for an end that is not a time', () => {
    expect(timeLeft(now, now)).toBe('Ended')
    expect(timeLeft(now + 999, now)).toBe('Ended')
    expect(timeLeft(now - 60_000, now)).toBe('Ended')
    expect(timeLeft(Number.NaN, now)).toBe('Ended')
  })

  it('never counts up: later is never more time left', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }), (ahead, later) => {
        const seconds = (s: string) => {
          if (s === 'Ended') return 0
          const m = /^(?:(\d+)d )?(?:(\d+)h )?(?:(\d+)m )?(?:(\d+)s )?left$/.exec(s)!
          return Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)
        }
        expect(seconds(timeLeft(now + ahead, now + later))).toBeLessThanOrEqual(seconds(timeLeft(now + ahead, now)))
      }),
    )
  })
})

describe('formatWhen', () => {
  it('writes an instant in UTC; anything else as it is', () => {
    expect(formatWhen('2026-03-16T20:05:00.000Z')).toBe('16 Mar 2026, 20:05 UTC')
    expect(formatWhen('soon')).toBe('soon')
  })
})
