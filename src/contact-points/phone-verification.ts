/**
 * Proving a phone number before Souk texts it: a six-digit code sent by SMS, valid for 10 minutes,
 * five guesses, a new code at most once a minute. Each guess is counted before it is compared, so
 * parallel guesses cannot share one attempt; only the code's keyed hash is stored.
 */
export const CODE_TTL_MS = 10 * 60_000
export const RESEND_AFTER_MS = 60_000
export const MAX_CODE_ATTEMPTS = 5
/**
 * Codes a person may have sent, and a number may be sent, per day (GCRA: 5 at once, then one every
 * ~5 h). Each SMS costs money and premium numbers pay their owner ("SMS pumping"); per number it
 * also caps guesses at 25 a day however many accounts try it.
 */
export const CODES_PER_DAY = { limit: 5, windowSeconds: 86_400 }

/** Six uniformly random digits from random 32-bit words (rejection sampling: no bias to small codes). */
export function verificationCode(random: Uint8Array): string | null {
  const words = new DataView(random.buffer, random.byteOffset, random.byteLength - (random.byteLength % 4))
  const limit = 4_294_000_000 // the largest multiple of 10^6 below 2^32
  for (let i = 0; i + 4 <= words.byteLength; i += 4) {
    const word = words.getUint32(i)
    if (word < limit) return String(word % 1_000_000).padStart(6, '0')
  }
  return null // every word fell in the rejected tail (about 1 in 4,300 per word): ask with new bytes
}

/** Milliseconds until another code may be sent; 0 when one may be sent now. */
export function resendWaitMs(lastSentAt: Date | null, now: Date): number {
  if (!lastSentAt) return 0
  return Math.max(0, lastSentAt.getTime() + RESEND_AFTER_MS - now.getTime())
}

export type PendingCode = { expiresAt: Date; attempts: number }

/** Why a pending code can no longer be guessed, or null while it can. */
export function codeClosed(pending: PendingCode | null, now: Date): 'no_code' | 'expired' | 'exhausted' | null {
  if (!pending) return 'no_code'
  if (pending.expiresAt.getTime() <= now.getTime()) return 'expired'
  if (pending.attempts >= MAX_CODE_ATTEMPTS) return 'exhausted'
  return null
}

/** Normalizes what a person typed ("123 456", "123-456") to the six digits, or null. */
export function typedCode(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '')
  return /^\d{6}$/.test(digits) ? digits : null
}
