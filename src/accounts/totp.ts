import { Secret, TOTP } from 'otpauth'

/**
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) and recovery codes, as pure decisions
 * over the state the user's account object keeps. The code is generated and checked by `otpauth`;
 * what is Souk's own is here: a code is accepted at most once (its step must be newer than the
 * last accepted one, so a code seen over a shoulder or replayed from a log is refused), one step
 * of clock drift either way, and at most MAX_FAILURES wrong codes per FAILURE_WINDOW_MS, after
 * which every code is refused until the window has passed (a million codes, three current at a
 * time: five guesses per quarter hour make guessing hopeless).
 */

export const PERIOD_SECONDS = 30
export const MAX_FAILURES = 5
export const FAILURE_WINDOW_MS = 15 * 60_000
export const RECOVERY_CODE_COUNT = 10

export type TotpState = {
  /** Base32. */
  secret: string
  /** `pending` from enrolment until the first code confirms it; `on` after. */
  status: 'pending' | 'on'
  /** The step of the last accepted code; a code of this step or older is refused. */
  lastStep: number
  /** SHA-256 (hex) of each unused recovery code. */
  recoveryHashes: string[]
  /** Wrong codes since `failuresSince`. */
  failures: number
  failuresSince: number
}

export type CodeCheck = { ok: true; state: TotpState } | { ok: false; reason: 'wrong' | 'used' | 'throttled'; state: TotpState }

const totpOf = (secret: string) => new TOTP({ issuer: 'Souk', secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS })

/** A fresh secret (160 random bits, as RFC 4226 recommends), base32. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32

/** The `otpauth://` URL an authenticator app reads (usually as a QR code). */
export const otpauthUrl = (secret: string, label: string): string => {
  const totp = totpOf(secret)
  totp.label = label
  return totp.toString()
}

/** A pending enrolment of `secret`. */
export const pendingTotp = (secret: string): TotpState => ({ secret, status: 'pending', lastStep: -1, recoveryHashes: [], failures: 0, failuresSince: 0 })

/** Checks `code` at `nowMs`: accepted once, within one step of drift, and not while throttled. */
export function checkCode(state: TotpState, code: string, nowMs: number): CodeCheck {
  const counted = nowMs - state.failuresSince >= FAILURE_WINDOW_MS ? { ...state, failures: 0, failuresSince: nowMs } : state
  if (counted.failures >= MAX_FAILURES) return { ok: false, reason: 'throttled', state: counted }
  const delta = /^\d{6}$/.test(code) ? totpOf(state.secret).validate({ token: code, timestamp: nowMs, window: 1 }) : null
  const failed = (reason: 'wrong' | 'used'): CodeCheck => ({ ok: false, reason, state: { ...counted, failures: counted.failures + 1 } })
  if (delta === null) return failed('wrong')
  const step = Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta
  if (step <= state.lastStep) return failed('used')
  return { ok: true, state: { ...counted, lastStep: step, failures: 0 } }
}

/** The current code of `secret` at `nowMs` (tests, and the sandbox's demo user). */
export const codeAt = (secret: string, nowMs: number): string => totpOf(secret).generate({ timestamp: nowMs })

/** Crockford's base32: 32 symbols (so a byte's low five bits pick one without bias), no i, l, o or u. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** Ten recovery codes like `k7m2q-x9dpt` (50 bits each), shown to the user once. */
export function newRecoveryCodes(random: (n: number) => Uint8Array): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...random(10)].map((b) => RECOVERY_ALPHABET[b & 31])
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`
  })
}

/** A recovery code as it is hashed: lower case, without the dash or spaces a person may type. */
export const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, '')
