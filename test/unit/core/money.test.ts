import { describe, expect, it } from 'vitest'
import { isValidAmount, MAX_AMOUNT, money } from '../../../src/core/money'

describe('isValidAmount', () => {
  it.each([1, 2, 1_250, MAX_AMOUNT])('accepts %d minor units', (amount) => {
    expect(isValidAmount(amount)).toBe(true)
  })

  it.each([
    ['zero', 0],
    ['a negative amount', -1],
    ['one over the cap', MAX_AMOUNT + 1],
    ['a fraction of a minor unit', 12.5],
    ['a tiny float', 0.1 + 0.2],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['negative zero', -0],
  ])('refuses %s', (_label, amount) => {
    expect(isValidAmount(amount)).toBe(false)
  })

  it('is the $10,000,000.00 cap in cents', () => {
    expect(MAX_AMOUNT).toBe(1_000_000_000)
  })
})

describe('money', () => {
  it('pairs an amount with its currency', () => {
    expect(money(1_250, 'EUR')).toEqual({ amount: 1_250, currency: 'EUR' })
  })
})
