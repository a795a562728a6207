import type { Settings } from '../config'
import { utf8 } from '../core/bytes'
import { randomBytes } from '../platform/runtime'
import { addressHash, emailIndex } from './blind-index'
import { isSealedUnder, IV_BYTES, openValue, PersonalDataUnreadable, sealValue, type CipherKey, type Keyring, type PiiField } from './pii-envelope'

/**
 * Personal data sealed and opened with the deployment's keys (docs/SECURITY.md "What is
 * encrypted, and how keys rotate"). Each CipherKey is imported once per isolate and kept (the key,
 * never the import's promise, so no request waits on another's work); IVs are 12 random bytes each.
 */
export type PersonalData = {
  /** `plaintext` of `field` of `owner`, sealed under the current key. */
  seal(field: PiiField, owner: string, plaintext: string): Promise<string>
  /** A stored value of `field` of `owner`, read (a legacy plaintext passes); throws PersonalDataUnreadable otherwise. */
  open(field: PiiField, owner: string, stored: string): Promise<string>
  /** True when `stored` is sealed under the current key (nothing for the rotation to do). */
  isCurrent(stored: string): boolean
  /** A shipping address, sealed for its order. */
  sealAddress(orderId: string, address: Record<string, string>): Promise<string>
  /** An order's stored shipping address, read. */
  openAddress(orderId: string, stored: string): Promise<Record<string, string>>
  /** The blind index of an e-mail address (users.email_index). */
  emailIndex(email: string): Promise<string>
  /** What notification_sends keeps of an address: its keyed hash. */
  addressHash(channel: string, address: string): Promise<string>
}

const aesKeys = new Map<string, CipherKey>()
const hmacKeys = new Map<string, CipherKey>()
const byKeyring = new WeakMap<object, PersonalData>()

async function aesKey(kid: string, material: Uint8Array): Promise<CipherKey> {
  const cacheKey = `${kid}:${material.join(',')}`
  let key = aesKeys.get(cacheKey)
  if (!key) {
    key = await crypto.subtle.importKey('raw', material, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
    aesKeys.set(cacheKey, key)
  }
  return key
}

async function hmacKey(secret: string): Promise<CipherKey> {
  let key = hmacKeys.get(secret)
  if (!key) {
    key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    hmacKeys.set(secret, key)
  }
  return key
}

/** The personal-data cipher of these settings (one per parsed settings, so per isolate). */
export function personalDataOf(settings: Pick<Settings, 'pii'>): PersonalData {
  let pd = byKeyring.get(settings.pii)
  if (!pd) {
    pd = personalData(settings.pii.keyring, settings.pii.indexKey)
    byKeyring.set(settings.pii, pd)
  }
  return pd
}

/** A cipher over an explicit keyring and index key (the rotation script and tests build their own). */
export function personalData(keyring: Keyring, indexKey: string, iv: () => Uint8Array = () => randomBytes(IV_BYTES)): PersonalData {
  const keyOf = async (kid: string): Promise<CipherKey | undefined> => {
    const material = keyring.keys.get(kid)
    return material ? aesKey(kid, material) : undefined
  }
  const seal = async (field: PiiField, owner: string, plaintext: string): Promise<string> => {
    const key = await keyOf(keyring.currentKid)
    if (!key) throw new Error(`the current personal-data key ${keyring.currentKid} is not in the keyring`)
    return sealValue(plaintext, field, owner, keyring.currentKid, key, iv())
  }
  const open = async (field: PiiField, owner: string, stored: string): Promise<string> => {
    const opened = await openValue(stored, field, owner, keyOf)
    if (!opened.ok) throw new PersonalDataUnreadable(field, owner, opened.reason, opened.kid)
    return opened.value
  }
  return {
    seal,
    open,
    isCurrent: (stored) => isSealedUnder(stored, keyring.currentKid),
    sealAddress: (orderId, address) => seal('orders.shipping_address', orderId, JSON.stringify(address)),
    async openAddress(orderId, stored) {
      const text = await open('orders.shipping_address', orderId, stored)
      const parsed = JSON.parse(text) as unknown
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new PersonalDataUnreadable('orders.shipping_address', orderId, 'malformed', null)
      return parsed as Record<string, string>
    },
    emailIndex: async (email) => emailIndex(await hmacKey(indexKey), email),
    addressHash: async (channel, address) => addressHash(await hmacKey(indexKey), channel, address),
  }
}
