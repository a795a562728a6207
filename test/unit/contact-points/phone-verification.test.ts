import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { codeClosed, MAX_CODE_ATTEMPTS, RESEND_AFTER_MS, resendWaitMs, typedCode, verificationCode } from '../../../src/contact-points/phone-verification'

const word = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}

describe('verificationCode', () => {
  it('is six digits, zero-padded', () => {
    expect(verificationCode(word(42))).toBe('000042')
    expect(verificationCode(word(1_999_999))).toBe('999999')
  })

  it('skips a word in the rejected tail (which would favour small codes) and takes the next', () => {
    const bytes = new Uint8Array([...word(4_294_000_000), ...word(7)])
    expect(verificationCode(bytes)).toBe('000007')
    expect(verificationCode(word(4_294_967_295))).toBeNull()
    expect(verificationCode(word(4_293_999_999))).toBe('999999')
  })

  it('answers six digits or, when every word falls in the tail, nothing (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (random) => {
        const code = verificationCode(random)
        if (code !== null) expect(code).toMatch(/^\d{6}$/)
      }),
    )
  })
})

describe('resendWaitMs', () => {
  const sent = new Date('2030-01-15T12:00:00.000Z')
  it.each([
    [null, 0, 0],
    [sent, 0, RESEND_AFTER_MS],
    [sent, 59_000, 1000],
    [sent, RESEND_AFTER_MS, 0],
    [sent, 3_600_000, 0],
  ])('after a code at %s and %i ms, waits %i ms', (last, elapsed, wait) => {
    expect(resendWaitMs(last, new Date(sent.getTime() + elapsed))).toBe(wait)
  })
})

describe('codeClosed', () => {
  const now = new Date('2030-01-15T12:00:00.000Z')
  it('is open while the code lives and has guesses left', () => {
    expect(codeClosed({ expiresAt: new Date(now.getTime() + 1), attempts: MAX_CODE_ATTEMPTS - 1 }, now)).toBeNull()
  })
  it.each([
    ['no_code', null],
    ['expired', { expiresAt: now, attempts: 0 }],
    ['exhausted', { expiresAt: new Date(now.getTime() + 60_000), attempts: MAX_CODE_ATTEMPTS }],
  ] as const)('is %s', (why, pending) => {
    expect(codeClosed(pending, now)).toBe(why)
  })
})

describe('typedCode', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['12-34-56', '123456'],
    ['12345', null],
    ['1234567', null],
    ['12345a', null],
    ['', null],
  ])('reads %j as %j', (raw, code) => {
    expect(typedCode(raw)).toBe(code)
  })
})
