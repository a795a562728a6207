import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkCode,
  codeAt,
  FAILURE_WINDOW_MS,
  MAX_FAILURES,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  otpauthUrl,
  PERIOD_SECONDS,
  pendingTotp,
  RECOVERY_CODE_COUNT,
  type TotpState,
} from '../../../src/accounts/totp'

/** RFC 6238 appendix B's SHA-1 key ("12345678901234567890"), base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
const STEP = PERIOD_SECONDS * 1000
const T = 1_765_000_020_000 // a step boundary plus 20 s
const on = (secret = RFC_SECRET): TotpState => ({ ...pendingTotp(secret), status: 'on' })

describe('TOTP codes', () => {
  it("generates RFC 6238's SHA-1 test vectors (6-digit truncation)", () => {
    // Appendix B lists 8-digit codes; a 6-digit code is their last six digits.
    expect(codeAt(RFC_SECRET, 59_000)).toBe('287082')
    expect(codeAt(RFC_SECRET, 1_111_111_109_000)).toBe('081804')
    expect(codeAt(RFC_SECRET, 1_234_567_890_000)).toBe('005924')
    expect(codeAt(RFC_SECRET, 20_000_000_000_000)).toBe('353130')
  })

  it('accepts the current code and one step of drift either way, and nothing further', () => {
    for (const drift of [-1, 0, 1]) expect(checkCode(on(), codeAt(RFC_SECRET, T + drift * STEP), T).ok, `drift ${drift}`).toBe(true)
    for (const drift of [-3, -2, 2, 3]) expect(checkCode(on(), codeAt(RFC_SECRET, T + drift * STEP), T), `drift ${drift}`).toMatchObject({ ok: false, reason: 'wrong' })
    for (const junk of ['', '12345', '1234567', 'abcdef', ' 28708']) expect(checkCode(on(), junk, T)).toMatchObject({ ok: false, reason: 'wrong' })
  })

  it('accepts a code once: the same code, or an older one, is refused after it', () => {
    const first = checkCode(on(), codeAt(RFC_SECRET, T), T)
    expect(first.ok).toBe(true)
    expect(checkCode(first.state, codeAt(RFC_SECRET, T), T + 5_000)).toMatchObject({ ok: false, reason: 'used' })
    expect(checkCode(first.state, codeAt(RFC_SECRET, T - STEP), T + 5_000)).toMatchObject({ ok: false, reason: 'used' })
    expect(checkCode(first.state, codeAt(RFC_SECRET, T + STEP), T + STEP).ok).toBe(true)
  })

  it(`refuses every code, even the right one, after ${MAX_FAILURES} wrong ones, until ${FAILURE_WINDOW_MS / 60_000} minutes have passed`, () => {
    let state = on()
    for (let i = 0; i < MAX_FAILURES; i++) state = checkCode(state, '000000', T + i).state
    expect(checkCode(state, codeAt(RFC_SECRET, T), T + 10)).toMatchObject({ ok: false, reason: 'throttled' })
    const later = T + FAILURE_WINDOW_MS
    expect(checkCode(state, codeAt(RFC_SECRET, later), later).ok).toBe(true)
  })

  it('under any sequence of guesses and clock moves, accepts each step at most once and judges at most MAX_FAILURES wrong codes per window', () => {
    const guess = fc.record({ advanceMs: fc.integer({ min: 0, max: 3 * STEP }), drift: fc.integer({ min: -2, max: 2 }), wrong: fc.boolean() })
    fc.assert(
      fc.property(fc.array(guess, { maxLength: 60 }), (guesses) => {
        let state = on()
        let now = T
        const acceptedSteps: number[] = []
        const refusedWrong: number[] = []
        for (const g of guesses) {
          now += g.advanceMs
          const code = g.wrong ? '000000' : codeAt(RFC_SECRET, now + g.drift * STEP)
          const check = checkCode(state, code, now)
          if (check.ok) acceptedSteps.push(check.state.lastStep)
          else if (check.reason !== 'throttled') refusedWrong.push(now)
          state = check.state
        }
        // Steps only move forward: no code is accepted twice.
        expect([...acceptedSteps].sort((a, b) => a - b)).toEqual(acceptedSteps)
        expect(new Set(acceptedSteps).size).toBe(acceptedSteps.length)
        // Fixed windows: any 15 minutes judge at most MAX_FAILURES wrong codes from each of the two windows they touch.
        for (const t of refusedWrong) expect(refusedWrong.filter((u) => u >= t && u < t + FAILURE_WINDOW_MS).length).toBeLessThanOrEqual(2 * MAX_FAILURES)
      }),
    )
  })
})

describe('enrolment', () => {
  it('makes a 160-bit base32 secret and an otpauth URL an authenticator reads', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(newTotpSecret()).not.toBe(secret)
    const url = new URL(otpauthUrl(secret, 'ada@example.com'))
    expect(url.protocol).toBe('otpauth:')
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ secret, issuer: 'Souk', algorithm: 'SHA1', digits: '6', period: '30' })
  })

  it('makes ten distinct recovery codes of 50 bits, and reads them as people type them', () => {
    const codes = newRecoveryCodes((n) => crypto.getRandomValues(new Uint8Array(n)))
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT)
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT)
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/)
    expect(normalizeRecoveryCode(' K7M2Q-X9DPT ')).toBe('k7m2qx9dpt')
  })
})
