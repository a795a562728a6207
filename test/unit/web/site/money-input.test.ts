import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { amountText, currencyOf, parseAmount } from '../../../../src/web/site/money-input'

describe('parseAmount', () => {
  it('reads decimals as minor units', () => {
    expect(parseAmount('45', 'Price')).toEqual({ ok: true, amount: 4500 })
    expect(parseAmount(' 45.5 ', 'Price')).toEqual({ ok: true, amount: 4550 })
    expect(parseAmount('45.05', 'Price')).toEqual({ ok: true, amount: 4505 })
    expect(parseAmount('0.01', 'Price')).toEqual({ ok: true, amount: 1 })
  })

  it('refuses what is not a positive amount with two decimals at most, naming the field', () => {
    for (const bad of ['', '  ', 'abc', '1,000', '-5', '+5', '1e3', '4.555', '.5', '5.', '0', '0.00', '99999999999', undefined, 12]) {
      const r = parseAmount(bad, 'Starting bid')
      expect(r.ok, String(bad)).toBe(false)
      if (!r.ok) expect(r.error).toMatch(/^Starting bid: /)
    }
  })

  it('round-trips every amount it shows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999_999 }), (amount) => {
        const back = parseAmount(amountText(amount), 'x')
        if (amount > 1_000_000_000) expect(back.ok).toBe(false)
        else expect(back).toEqual({ ok: true, amount })
      }),
    )
  })
})

describe('currencyOf', () => {
  it('takes only the currencies Souk takes', () => {
    expect(currencyOf('EUR')).toBe('EUR')
    expect(currencyOf('eur')).toBeUndefined()
    expect(currencyOf('XYZ')).toBeUndefined()
    expect(currencyOf(undefined)).toBeUndefined()
  })
})
