import { fromBase64 } from '../core/bytes'

/**
 * A browser's push subscription as `PushSubscription.toJSON()` gives it. The keys are what RFC 8291
 * encrypts to: `p256dh` an uncompressed P-256 point (65 bytes, 0x04 first), `auth` 16 secret bytes.
 * Anything else could never be encrypted to, so it is refused when registered, not when sent.
 */
export type PushKeys = { p256dh: string; auth: string }

export function pushKeysProblem(keys: PushKeys): string | null {
  const point = fromBase64(keys.p256dh)
  if (!point || point.length !== 65 || point[0] !== 0x04) return 'keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64url)'
  const auth = fromBase64(keys.auth)
  if (!auth || auth.length !== 16) return 'keys.auth must be 16 bytes, base64url'
  return null
}

/** How many browsers one person may register; a new one beyond this replaces their oldest. */
export const MAX_PUSH_SUBSCRIPTIONS = 10
