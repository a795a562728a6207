import { sha256Hex, toBase64Url } from '../core/bytes'

/**
 * Bearer credentials. Both kinds are 256 random bits behind a prefix that says what they are
 * (`st_` session token, `sk_` API key), and are stored only as their SHA-256: the secret is shown
 * once and a database leak reveals no usable token. High-entropy secrets need no slow hash.
 */
export type CredentialKind = 'session' | 'api_key'

const prefixes: Record<CredentialKind, string> = { session: 'st_', api_key: 'sk_' }
export const TOKEN_RANDOM_BYTES = 32
const tokenPattern = /^(st|sk)_[A-Za-z0-9_-]{43}$/

export function mintToken(kind: CredentialKind, random: Uint8Array): string {
  if (random.length !== TOKEN_RANDOM_BYTES) throw new RangeError(`needs ${TOKEN_RANDOM_BYTES} random bytes`)
  return prefixes[kind] + toBase64Url(random)
}

/** Reads `Authorization: Bearer <token>`; undefined when absent, malformed or not a Souk token. */
export function parseBearer(header: string | undefined): { kind: CredentialKind; token: string } | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  const token = match?.[1]
  if (!token || !tokenPattern.test(token)) return undefined
  return { kind: token.startsWith('sk_') ? 'api_key' : 'session', token }
}

export const credentialHash = (token: string): Promise<string> => sha256Hex(token)

/** The part of an API key that is safe to show again in listings: `sk_` and six characters. */
export const displayPrefix = (token: string): string => token.slice(0, 9)
