import { sha256Hex, toBase64Url } from '../core/bytes'

/**
 * Bearer credentials. Both kinds carry the id of the user they belong to and 256 random bits,
 * behind a prefix that says what they are (`st_` session token, `sk_` API key):
 *
 *   st_<26-character user id body><43 base64url characters>
 *
 * The user id lets any isolate find the account that vouches for the token (one Durable Object
 * per user) without looking anything up first. Only the SHA-256 of a token is stored: the secret
 * is shown once and a storage leak reveals no usable token. High-entropy secrets need no slow hash.
 */
export type CredentialKind = 'session' | 'api_key'

const prefixes: Record<CredentialKind, string> = { session: 'st_', api_key: 'sk_' }
export const TOKEN_RANDOM_BYTES = 32
const userIdBody = /^usr_([0-9a-hjkmnp-tv-z]{26})$/
const tokenPattern = /^(st|sk)_([0-9a-hjkmnp-tv-z]{26})([A-Za-z0-9_-]{43})$/

export function mintToken(kind: CredentialKind, userId: string, random: Uint8Array): string {
  if (random.length !== TOKEN_RANDOM_BYTES) throw new RangeError(`needs ${TOKEN_RANDOM_BYTES} random bytes`)
  const body = userIdBody.exec(userId)?.[1]
  if (!body) throw new RangeError('needs a user id')
  return prefixes[kind] + body + toBase64Url(random)
}

export type Bearer = { kind: CredentialKind; token: string; userId: string }

/** Reads `Authorization: Bearer <token>`; undefined when absent, malformed or not a Souk token. */
export function parseBearer(header: string | undefined): Bearer | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  const token = match?.[1]
  const parts = token ? tokenPattern.exec(token) : null
  if (!token || !parts) return undefined
  return { kind: parts[1] === 'sk' ? 'api_key' : 'session', token, userId: `usr_${parts[2]}` }
}

export const credentialHash = (token: string): Promise<string> => sha256Hex(token)

/**
 * What is safe to show again in a list of API keys: `sk_…` and the last four characters, which
 * tell a user's keys apart (the start of every key of one user is the same user id).
 */
export const displayPrefix = (token: string): string => `sk_…${token.slice(-4)}`
