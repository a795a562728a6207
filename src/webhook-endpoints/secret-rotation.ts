/**
 * Rotating an endpoint's signing secret. After a rotation, deliveries are signed with the new
 * secret and, for ROTATION_OVERLAP_MS, also with the one it replaced, so a receiver can switch
 * its verifier whenever it likes within the day; then the old one is dropped. Pure: the shell
 * passes `now`.
 */

/** How long the replaced secret keeps signing: 24 h. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000

/** The secret's side of an endpoint: the current one, and the replaced one until it expires. */
export type EndpointSecrets = { secret: string; previousSecret: string | null; previousSecretExpiresAt: string | null }

/** When a secret replaced at `now` stops signing. */
export const previousSecretExpiry = (now: Date): string => new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString()

/** The secrets a delivery at `now` is signed with: the current one first, then the replaced one while it lasts. */
export function signingSecrets(e: EndpointSecrets, now: Date): string[] {
  const overlapping = e.previousSecret !== null && e.previousSecretExpiresAt !== null && now.getTime() < Date.parse(e.previousSecretExpiresAt)
  return overlapping && e.previousSecret !== null ? [e.secret, e.previousSecret] : [e.secret]
}
