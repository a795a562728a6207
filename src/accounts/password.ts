import { constantTimeEqual, fromBase64, toBase64Url, utf8 } from '../core/bytes'

/**
 * Password hashing with PBKDF2-HMAC-SHA256 through WebCrypto, the slow KDF workerd offers, at
 * workerd's ceiling of 100,000 iterations. The encoded form names its parameters, so a later
 * change of cost can rehash on login.
 *
 *   pbkdf2-sha256$<iterations>$<salt, base64url>$<hash, base64url>
 */
export const PBKDF2_ITERATIONS = 100_000
export const SALT_BYTES = 16
const HASH_BITS = 256
const scheme = 'pbkdf2-sha256'

export async function hashPassword(password: string, salt: Uint8Array): Promise<string> {
  if (salt.length !== SALT_BYTES) throw new RangeError(`salt must be ${SALT_BYTES} bytes`)
  const hash = await derive(password, salt, PBKDF2_ITERATIONS)
  return [scheme, PBKDF2_ITERATIONS, toBase64Url(salt), toBase64Url(hash)].join('$')
}

/** True when `password` matches `encoded`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded)
  if (!parsed) return false
  const candidate = await derive(password, parsed.salt, parsed.iterations)
  return constantTimeEqual(candidate, parsed.hash)
}

export function needsRehash(encoded: string): boolean {
  return parse(encoded)?.iterations !== PBKDF2_ITERATIONS
}

/**
 * A valid hash of no one's password. Logins for unknown e-mails verify against it, so the answer
 * takes as long as for a real account and does not reveal which addresses are registered.
 */
export const decoyHash = `${scheme}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$5Btkh9hZ0gQ7DpUd_DHHRLSrmPkPvkNmV2yZtH5DZaM`

function parse(encoded: string): { iterations: number; salt: Uint8Array; hash: Uint8Array } | undefined {
  const [name, rounds, salt, hash, ...rest] = encoded.split('$')
  if (name !== scheme || rest.length > 0 || !rounds || !salt || !hash) return undefined
  const iterations = Number(rounds)
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return undefined
  const saltBytes = fromBase64(salt)
  const hashBytes = fromBase64(hash)
  if (!saltBytes || !hashBytes || hashBytes.length !== HASH_BITS / 8) return undefined
  return { iterations, salt: saltBytes, hash: hashBytes }
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BITS)
  return new Uint8Array(bits)
}
