import { constantTimeEqual, hmacSha256, toHex, utf8 } from '../core/bytes'

/**
 * Inbound webhook signatures in Stripe's scheme, which Souk also asks of carriers: the header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (several v1 entries allowed while a
 * secret rotates). The timestamp is signed, so a captured request cannot be replayed after the
 * tolerance; the comparison is constant-time.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' }

export async function signPayload(secret: string, body: string, timestamp: number): Promise<string> {
  const mac = await hmacSha256(utf8(secret), utf8(`${timestamp}.${body}`))
  return `t=${timestamp},v1=${toHex(mac)}`
}

export async function verifySignedPayload(secret: string, header: string | undefined, body: string, nowSeconds: number): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'malformed' }
  const parts = header.split(',').map((p) => p.trim().split('='))
  const tText = parts.find(([k]) => k === 't')?.[1] ?? ''
  const t = /^\d{1,12}$/.test(tText) ? Number(tText) : NaN
  const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => v ?? '')
  if (!Number.isSafeInteger(t) || signatures.length === 0) return { ok: false, reason: 'malformed' }
  if (Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' }
  const expected = utf8(toHex(await hmacSha256(utf8(secret), utf8(`${t}.${body}`))))
  return signatures.some((s) => constantTimeEqual(utf8(s), expected)) ? { ok: true, timestamp: t } : { ok: false, reason: 'mismatch' }
}
