import { toBase64Url, utf8 } from '../core/bytes'
import type { CipherKey } from './pii-envelope'

/**
 * Keyed blind indexes (docs/SECURITY.md "What is encrypted, and how keys rotate"): HMAC-SHA-256
 * under `PII_INDEX_KEY` of a normalized value and the purpose it serves, so equal values are found
 * and kept unique (login by e-mail, `409 email_taken`) without the value being stored, and an
 * index of one purpose says nothing about another. Pure: the key comes in imported.
 */

/** An e-mail address as it is stored and indexed: Unicode NFC, trimmed, lower case. */
export const normalizeEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase()

/** base64url of HMAC-SHA-256(`purpose` NUL `value`) under `key` (43 characters). */
export async function blindIndex(key: CipherKey, purpose: string, value: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(`${purpose}\u0000${value}`))))
}

/** The e-mail index of `users.email_index`. */
export const emailIndex = (key: CipherKey, email: string): Promise<string> => blindIndex(key, 'users.email', normalizeEmail(email))

/** Marks an address stored as its hash (notification_sends.address), apart from one stored before. */
export const ADDRESS_HASH_PREFIX = 'h1.'

/**
 * What `notification_sends.address` keeps of an address a notice went to: its keyed hash, so a
 * retried dispatch still knows which addresses are done, and the table holds no address.
 */
export const addressHash = async (key: CipherKey, channel: string, address: string): Promise<string> =>
  `${ADDRESS_HASH_PREFIX}${await blindIndex(key, `notification_sends.address:${channel}`, address)}`
