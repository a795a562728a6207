import { fromBase64 } from '../core/bytes'

/**
 * A VAPID key pair (RFC 8292) as `scripts/vapid-keys.ts` prints it and browsers take it: the
 * public key is the uncompressed P-256 point (65 bytes, 0x04 first) that pages pass to
 * `pushManager.subscribe({ applicationServerKey })`; the private key is the 32-byte scalar. Both
 * base64url. Checked at start-up, so a pasted-wrong key fails loudly rather than at every push.
 */
export function vapidKeysProblem(publicKey: string, privateKey: string): string | null {
  const point = fromBase64(publicKey)
  if (!point || point.length !== 65 || point[0] !== 0x04) return 'VAPID_PUBLIC_KEY must be an uncompressed P-256 point (65 bytes, base64url)'
  const scalar = fromBase64(privateKey)
  if (!scalar || scalar.length !== 32) return 'VAPID_PRIVATE_KEY must be a P-256 private key (32 bytes, base64url)'
  return null
}

/** RFC 8292 §2.1: the contact a push service may write to, `mailto:` or `https:`. */
export const isVapidSubject = (subject: string): boolean => /^mailto:[^@\s]+@[^@\s]+$/.test(subject) || /^https:\/\/[^\s]+$/.test(subject)
