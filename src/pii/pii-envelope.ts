import { fromBase64, toBase64Url, utf8 } from '../core/bytes'

/**
 * Personal data at rest (docs/SECURITY.md "What is encrypted, and how keys rotate"): each value
 * is sealed with AES-256-GCM and stored as `v1.<kid>.<base64url(iv | ciphertext | tag)>`, with a
 * fresh 96-bit IV per value and additional authenticated data naming the envelope version, the
 * key id, the field (table and column) and the row's owner, so a ciphertext copied to another row
 * or column, or relabelled with another key id, fails to open. Pure: keys and IVs come in as values
 * (pii-adapters.ts imports the keys and draws the IVs).
 *
 * Values written before encryption was turned on are plaintext until the rotation script seals
 * them; they are read as they are, but only when they look like what the field held
 * (`legacyPlaintext` below), and never when they start like an envelope: so a sealed value with
 * any byte changed fails to open instead of reading as plaintext.
 */

/** What is sealed, named as table.column (or object.key): the AAD's field. */
export const piiFields = ['users.email', 'orders.shipping_address', 'phone_numbers.phone', 'account.totp_secret'] as const
export type PiiField = (typeof piiFields)[number]

export const ENVELOPE_VERSION = 'v1'
export const IV_BYTES = 12
const TAG_BYTES = 16
/** A key id: short, and without the dots that separate the envelope's parts. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/
export const KEY_BYTES = 32

/** A WebCrypto key, named so that this module types the same under workerd and under Node (the scripts). */
export type CipherKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

/** The current key id and every key a stored value may name, raw. */
export type Keyring = { currentKid: string; keys: ReadonlyMap<string, Uint8Array> }

/** 32 bytes from base64 (or base64url); undefined for anything else. */
export function keyMaterial(text: string): Uint8Array | undefined {
  const bytes = fromBase64(text.trim())
  return bytes?.length === KEY_BYTES ? bytes : undefined
}

/** The keyring from `PII_KEYS` (`{ "<kid>": "<base64 of 32 bytes>" }`) and `PII_KEY_ID`, or what is wrong with them (never the values). */
export function parseKeyring(keys: Record<string, string>, currentKid: string): { ok: true; keyring: Keyring } | { ok: false; problems: string[] } {
  const problems: string[] = []
  const parsed = new Map<string, Uint8Array>()
  for (const [kid, text] of Object.entries(keys)) {
    const material = keyMaterial(text)
    if (!KEY_ID_PATTERN.test(kid)) problems.push(`key id "${kid.slice(0, 32)}" must be 1 to 32 of A-Z a-z 0-9 _ -`)
    else if (!material) problems.push(`key ${kid} must be ${KEY_BYTES} bytes in base64`)
    else parsed.set(kid, material)
  }
  if (!Object.hasOwn(keys, currentKid)) problems.push(`PII_KEY_ID "${currentKid.slice(0, 32)}" is not in PII_KEYS`)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keyring: { currentKid, keys: parsed } }
}

/** The additional authenticated data: the envelope's version and key id, the field, the row's owner. */
export const additionalData = (kid: string, field: PiiField, owner: string): Uint8Array => utf8(`souk-pii\u0000${ENVELOPE_VERSION}\u0000${kid}\u0000${field}\u0000${owner}`)

export const envelopePrefix = (kid: string): string => `${ENVELOPE_VERSION}.${kid}.`

/** True when `stored` is sealed under `kid` (a cheap test of its prefix: the rotation's question). */
export const isSealedUnder = (stored: string, kid: string): boolean => stored.startsWith(envelopePrefix(kid))

/**
 * Anything that starts like an envelope (`v1.`) is read as one and must open: no tampered envelope
 * reads as plaintext. The dot matters: an old plaintext address such as `v1ctor@example.com` is
 * plaintext, and a value whose prefix was tampered with still has to pass its field's plaintext test.
 */
const looksSealed = (stored: string): boolean => stored.startsWith(`${ENVELOPE_VERSION}.`)

const base32Secret = /^[A-Z2-7]+=*$/
// The top-level domain is at most 24 characters: an envelope with its first dot turned into `@`
// (`v1@k1.<base64url>`) ends in dozens of base64 characters, so it never passes for an address
// (punycode top-level domains, `xn--…`, still do).
const emailAddress = /^[^@\s]+@([^@\s.]+\.)+[A-Za-z][A-Za-z0-9-]{1,23}$/
const e164 = /^\+[1-9]\d{6,14}$/

const isStringRecord = (text: string): boolean => {
  if (!text.startsWith('{')) return false
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
  } catch {
    return false // not JSON: not a legacy address
  }
}

/**
 * What each field held before it was sealed, as written then: an e-mail address (or the marker
 * an erased account's row keeps), an E.164 number, an address as a JSON object of strings, a
 * base32 TOTP secret. A value that is neither this nor an envelope is refused.
 */
export const legacyPlaintext: Record<PiiField, (stored: string) => boolean> = {
  'users.email': (s) => emailAddress.test(s) || s.startsWith('erased:'),
  'orders.shipping_address': isStringRecord,
  'phone_numbers.phone': (s) => e164.test(s),
  'account.totp_secret': (s) => base32Secret.test(s),
}

export type SealedParts = { kid: string; iv: Uint8Array; ciphertext: Uint8Array }

/** The parts of an envelope; undefined when it is not one well-formed envelope (base64url must be canonical, so no bit of it can change unseen). */
export function parseEnvelope(stored: string): SealedParts | undefined {
  const parts = stored.split('.')
  if (parts.length !== 3) return undefined
  const [version, kid, body] = parts as [string, string, string]
  if (version !== ENVELOPE_VERSION || !KEY_ID_PATTERN.test(kid) || !/^[A-Za-z0-9_-]+$/.test(body)) return undefined
  const bytes = fromBase64(body)
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES || toBase64Url(bytes) !== body) return undefined
  return { kid, iv: bytes.subarray(0, IV_BYTES), ciphertext: bytes.subarray(IV_BYTES) }
}

/** Seals `plaintext` for `field` of `owner` under `key` (id `kid`) with `iv` (12 random bytes, never reused with a key). */
export async function sealValue(plaintext: string, field: PiiField, owner: string, kid: string, key: CipherKey, iv: Uint8Array): Promise<string> {
  if (iv.length !== IV_BYTES) throw new Error(`an AES-GCM IV is ${IV_BYTES} bytes`)
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(kid, field, owner), tagLength: TAG_BYTES * 8 }, key, utf8(plaintext)))
  const out = new Uint8Array(IV_BYTES + sealed.length)
  out.set(iv)
  out.set(sealed, IV_BYTES)
  return `${envelopePrefix(kid)}${toBase64Url(out)}`
}

/** Why a stored value could not be read. */
export type UnreadableReason = 'malformed' | 'unknown_key' | 'failed_authentication'

/** A stored value read: the plaintext and the key it was under (null: it was plaintext still). */
export type Opened = { ok: true; value: string; kid: string | null } | { ok: false; reason: UnreadableReason; kid: string | null }

/**
 * Reads a stored value of `field` of `owner`: opens an envelope with the key its id names
 * (`keyOf`), or passes a legacy plaintext through. Never guesses: anything else is a reason.
 */
export async function openValue(stored: string, field: PiiField, owner: string, keyOf: (kid: string) => Promise<CipherKey | undefined>): Promise<Opened> {
  if (!looksSealed(stored)) return legacyPlaintext[field](stored) ? { ok: true, value: stored, kid: null } : { ok: false, reason: 'malformed', kid: null }
  const parts = parseEnvelope(stored)
  if (!parts) return { ok: false, reason: 'malformed', kid: null }
  const key = await keyOf(parts.kid)
  if (!key) return { ok: false, reason: 'unknown_key', kid: parts.kid }
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: parts.iv, additionalData: additionalData(parts.kid, field, owner), tagLength: TAG_BYTES * 8 }, key, parts.ciphertext)
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(plain), kid: parts.kid }
  } catch (err) {
    // WebCrypto's one failure here is the tag not verifying (OperationError); the decoder's, bytes that are not UTF-8 (which a verified tag rules out).
    if (err instanceof Error && (err.name === 'OperationError' || err instanceof TypeError)) return { ok: false, reason: 'failed_authentication', kid: parts.kid }
    throw err
  }
}

/**
 * A stored personal value that could not be read: altered, moved from another row or column,
 * under a key no longer in the keyring, or not a value this field ever held. Never the value
 * itself in the message. Routes answer it as a 500 (render-problem.ts) and it is logged as an error.
 */
export class PersonalDataUnreadable extends Error {
  constructor(
    readonly field: PiiField,
    readonly owner: string,
    readonly reason: UnreadableReason,
    readonly kid: string | null,
  ) {
    super(`personal data unreadable: ${field} of ${owner}: ${reason}${kid ? ` (key ${kid})` : ''}`)
    this.name = 'PersonalDataUnreadable'
  }
}
