import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { additionalData, isSealedUnder, keyMaterial, legacyPlaintext, openValue, parseEnvelope, parseKeyring, PersonalDataUnreadable, piiFields, sealValue, type CipherKey, type PiiField } from '../../../src/pii/pii-envelope'
import { personalData } from '../../../src/pii/pii-adapters'

const raw = (fill: number) => new Uint8Array(32).fill(fill)
const aes = (bytes: Uint8Array): Promise<CipherKey> => crypto.subtle.importKey('raw', bytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
const IV = new Uint8Array(12).fill(9)

const keys = { k1: await aes(raw(1)), k2: await aes(raw(2)) }
const keyOf = (kid: string): Promise<CipherKey | undefined> => Promise.resolve(keys[kid as keyof typeof keys])

const fieldArb = fc.constantFrom(...piiFields)
const ownerArb = fc.stringMatching(/^[a-z]{3}_[0-9a-z]{1,26}$/)
const ivArb = fc.uint8Array({ minLength: 12, maxLength: 12 })
/** Any text at all: sealing does not care what it seals. */
const plainArb = fc.string({ unit: 'grapheme', maxLength: 200 })
/** Characters a tamperer might put anywhere, including ones that make plaintext of each field look right. */
const tamperCharArb = fc.oneof(fc.constantFrom('@', '+', '{', '}', '.', '1', 'v', 'A', '-', '_', '=', ' ', 'e'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }))

describe('sealing and opening (AES-256-GCM, v1.<kid>.<base64url(iv|ciphertext|tag)>)', () => {
  it('round-trips any value of any field and owner, naming the key it was under', async () => {
    await fc.assert(
      fc.asyncProperty(plainArb, fieldArb, ownerArb, ivArb, async (plain, field, owner, iv) => {
        const stored = await sealValue(plain, field, owner, 'k1', keys.k1, iv)
        expect(stored.startsWith('v1.k1.')).toBe(true)
        expect(isSealedUnder(stored, 'k1')).toBe(true)
        expect(isSealedUnder(stored, 'k2')).toBe(false)
        expect(await openValue(stored, field, owner, keyOf)).toEqual({ ok: true, value: plain, kid: 'k1' })
      }),
      { numRuns: 150 },
    )
  })

  it('refuses a value with any one character changed: never a silent wrong value, never read as plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(plainArb, fieldArb, ownerArb, fc.nat(), tamperCharArb, async (plain, field, owner, at, ch) => {
        const stored = await sealValue(plain, field, owner, 'k1', keys.k1, IV)
        const i = at % stored.length
        fc.pre(stored[i] !== ch)
        const tampered = stored.slice(0, i) + ch + stored.slice(i + 1)
        const opened = await openValue(tampered, field, owner, keyOf)
        expect(opened.ok).toBe(false)
      }),
      { numRuns: 400 },
    )
  })

  it('refuses a value with any byte of its IV, ciphertext or tag flipped', async () => {
    await fc.assert(
      fc.asyncProperty(plainArb, fieldArb, ownerArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (plain, field, owner, at, mask) => {
        const stored = await sealValue(plain, field, owner, 'k1', keys.k1, IV)
        const parts = parseEnvelope(stored)!
        const bytes = new Uint8Array([...parts.iv, ...parts.ciphertext])
        const i = at % bytes.length
        bytes[i] = bytes[i]! ^ mask
        const flipped = `v1.k1.${Buffer.from(bytes).toString('base64url')}`
        expect(await openValue(flipped, field, owner, keyOf)).toEqual({ ok: false, reason: 'failed_authentication', kid: 'k1' })
      }),
      { numRuns: 200 },
    )
  })

  it('refuses another spelling of the same bytes (the unused low bits of the last base64url character set)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    for (const plain of ['a', 'ab', 'abc']) {
      const stored = await sealValue(plain, 'users.email', 'usr_1', 'k1', keys.k1, IV)
      const last = stored.at(-1)!
      const sibling = alphabet[alphabet.indexOf(last) ^ 1]!
      const respelled = stored.slice(0, -1) + sibling
      // For two of the three lengths the bytes decode the same; the envelope is refused all the same.
      expect(await openValue(respelled, 'users.email', 'usr_1', keyOf)).toMatchObject({ ok: false })
    }
  })

  it('refuses a value moved to another row (owner) or another column (field)', async () => {
    await fc.assert(
      fc.asyncProperty(plainArb, fieldArb, fieldArb, ownerArb, ownerArb, async (plain, field, otherField, owner, otherOwner) => {
        fc.pre(field !== otherField || owner !== otherOwner)
        const stored = await sealValue(plain, field, owner, 'k1', keys.k1, IV)
        expect(await openValue(stored, otherField, otherOwner, keyOf)).toEqual({ ok: false, reason: 'failed_authentication', kid: 'k1' })
      }),
      { numRuns: 150 },
    )
  })

  it('refuses a value relabelled with another key id, and one under a key the keyring no longer holds, clearly', async () => {
    const stored = await sealValue('ada@example.com', 'users.email', 'usr_1', 'k1', keys.k1, IV)
    expect(await openValue(stored.replace('v1.k1.', 'v1.k2.'), 'users.email', 'usr_1', keyOf)).toEqual({ ok: false, reason: 'failed_authentication', kid: 'k2' })
    expect(await openValue(stored.replace('v1.k1.', 'v1.k9.'), 'users.email', 'usr_1', keyOf)).toEqual({ ok: false, reason: 'unknown_key', kid: 'k9' })
  })

  it('binds the key id, field and owner into the additional data, each apart', () => {
    const seen = new Set([additionalData('k1', 'users.email', 'usr_1'), additionalData('k2', 'users.email', 'usr_1'), additionalData('k1', 'phone_numbers.phone', 'usr_1'), additionalData('k1', 'users.email', 'usr_2')].map((b) => Buffer.from(b).toString('hex')))
    expect(seen.size).toBe(4)
  })

  it('draws a fresh IV per value: the same plaintext never seals twice alike', async () => {
    const pd = personalData({ currentKid: 'k1', keys: new Map([['k1', raw(1)]]) }, 'index-key-0123456789abcdef0123456789')
    const a = await pd.seal('users.email', 'usr_1', 'ada@example.com')
    const b = await pd.seal('users.email', 'usr_1', 'ada@example.com')
    expect(a).not.toBe(b)
    expect(parseEnvelope(a)!.iv).not.toEqual(parseEnvelope(b)!.iv)
  })
})

describe('values stored before sealing (read until the rotation script seals them)', () => {
  it.each<[PiiField, string]>([
    ['users.email', 'ada@example.com'],
    ['users.email', 'erased:usr_01jq'],
    ['orders.shipping_address', JSON.stringify({ name: 'Ada', line1: '1 Main St', country: 'US' })],
    ['users.email', 'v1ctor@example.com'],
    ['phone_numbers.phone', '+33612345678'],
    ['account.totp_secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'],
  ])('%s: %s is read as it is, marked as plaintext (kid null)', async (field, value) => {
    expect(await openValue(value, field, 'usr_1', keyOf)).toEqual({ ok: true, value, kid: null })
  })

  it.each<[PiiField, string]>([
    ['users.email', 'not an address'],
    ['users.email', 'v1@k1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v'],
    ['orders.shipping_address', '["a list"]'],
    ['orders.shipping_address', '{"line1": 12}'],
    ['phone_numbers.phone', '0612345678'],
    ['account.totp_secret', 'lowercase-secret'],
  ])('%s: %s is neither an envelope nor what the field held, and is refused', async (field, value) => {
    expect(await openValue(value, field, 'usr_1', keyOf)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('a legacy value of one field is not taken for another', () => {
    expect(legacyPlaintext['phone_numbers.phone']('ada@example.com')).toBe(false)
    expect(legacyPlaintext['users.email']('+33612345678')).toBe(false)
  })
})

describe('the keyring', () => {
  it('takes key ids to 32-byte keys in base64 or base64url, with the current id among them', () => {
    const parsed = parseKeyring({ k1: Buffer.from(raw(1)).toString('base64'), k2: Buffer.from(raw(250)).toString('base64url') }, 'k2')
    expect(parsed).toEqual({ ok: true, keyring: { currentKid: 'k2', keys: new Map([['k1', raw(1)], ['k2', raw(250)]]) } })
  })

  it('names every problem, and no key', () => {
    const short = Buffer.from(new Uint8Array(16)).toString('base64')
    const parsed = parseKeyring({ 'bad.id': Buffer.from(raw(1)).toString('base64'), k2: short }, 'k3')
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.problems).toEqual(['key id "bad.id" must be 1 to 32 of A-Z a-z 0-9 _ -', 'key k2 must be 32 bytes in base64', 'PII_KEY_ID "k3" is not in PII_KEYS'])
    expect(parsed.problems.join()).not.toContain(short)
  })

  it('keyMaterial is 32 bytes or nothing', () => {
    expect(keyMaterial(Buffer.from(raw(3)).toString('base64'))).toEqual(raw(3))
    expect(keyMaterial('not base64!')).toBeUndefined()
    expect(keyMaterial(Buffer.from(new Uint8Array(31)).toString('base64'))).toBeUndefined()
  })
})

describe('the cipher (pii-adapters.ts)', () => {
  const keyring = { currentKid: 'k2', keys: new Map([['k1', raw(1)], ['k2', raw(2)]]) }
  const pd = personalData(keyring, 'index-key-0123456789abcdef0123456789')

  it('seals under the current key, opens under any key of the ring, and says which are current', async () => {
    const old = await sealValue('ada@example.com', 'users.email', 'usr_1', 'k1', keys.k1, IV)
    expect(await pd.open('users.email', 'usr_1', old)).toBe('ada@example.com')
    expect(pd.isCurrent(old)).toBe(false)
    const fresh = await pd.seal('users.email', 'usr_1', 'ada@example.com')
    expect(pd.isCurrent(fresh)).toBe(true)
    expect(fresh.startsWith('v1.k2.')).toBe(true)
  })

  it('throws PersonalDataUnreadable naming field, owner, key and reason, never the value', async () => {
    const sealed = await pd.seal('users.email', 'usr_1', 'ada@example.com')
    const err = await pd.open('users.email', 'usr_2', sealed).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(PersonalDataUnreadable)
    expect(err).toMatchObject({ field: 'users.email', owner: 'usr_2', reason: 'failed_authentication', kid: 'k2' })
    expect(String((err as Error).message)).toBe('personal data unreadable: users.email of usr_2: failed_authentication (key k2)')
    const gone = personalData({ currentKid: 'k3', keys: new Map([['k3', raw(3)]]) }, 'index-key-0123456789abcdef0123456789')
    await expect(gone.open('users.email', 'usr_1', sealed)).rejects.toThrow('personal data unreadable: users.email of usr_1: unknown_key (key k2)')
  })

  it('round-trips an address as the object it was', async () => {
    const address = { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' }
    const sealed = await pd.sealAddress('ord_1', address)
    expect(sealed).not.toContain('Paix')
    expect(await pd.openAddress('ord_1', sealed)).toEqual(address)
    expect(await pd.openAddress('ord_1', JSON.stringify(address))).toEqual(address) // before sealing
    await expect(pd.openAddress('ord_2', sealed)).rejects.toBeInstanceOf(PersonalDataUnreadable)
  })
})
