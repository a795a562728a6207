import { beforeAll, describe, expect, it } from 'vitest'
import { fromBase64, toBase64Url } from '../../../src/core/bytes'
import { deriveKeys, fingerprint, type KeyMaterial, seal, type StoredResponse, unseal } from '../../../src/idempotency/response-seal'

const IV = Uint8Array.from({ length: 12 }, (_, i) => i + 1)
const SECRET_TOKEN = 'st_Xk3v9QeLrT0pW8yZbN2mC5dF7gH1jK4sA6uV0wE2rT4'
const RESPONSE: StoredResponse = {
  status: 201,
  headers: [
    ['content-type', 'application/json'],
    ['location', '/v1/api-keys/key_01'],
  ],
  body: JSON.stringify({ id: 'key_01', secret: SECRET_TOKEN }),
}
const body = (text: string) => new TextEncoder().encode(text)

let keys: KeyMaterial
let sameKeysAgain: KeyMaterial
let otherKey: KeyMaterial
let otherScope: KeyMaterial
beforeAll(async () => {
  [keys, sameKeysAgain, otherKey, otherScope] = await Promise.all([
    deriveKeys('idem-key-1', 'usr:usr_a'),
    deriveKeys('idem-key-1', 'usr:usr_a'),
    deriveKeys('idem-key-2', 'usr:usr_a'),
    deriveKeys('idem-key-1', 'usr:usr_b'),
  ])
})

describe('seal / unseal', () => {
  it('round-trips a response under the keys it was sealed with, derived again from the same key and scope', async () => {
    const sealed = await seal(keys, RESPONSE, IV)
    expect(await unseal(keys, sealed)).toEqual(RESPONSE)
    expect(await unseal(sameKeysAgain, sealed)).toEqual(RESPONSE)
  })

  it('round-trips an empty body (a 204)', async () => {
    const empty: StoredResponse = { status: 204, headers: [], body: '' }
    expect(await unseal(keys, await seal(keys, empty, IV))).toEqual(empty)
  })

  it('is the IV and the ciphertext, base64url, joined by a dot', async () => {
    const sealed = await seal(keys, RESPONSE, IV)
    const [iv, data, ...rest] = sealed.split('.')
    expect(rest).toEqual([])
    expect(fromBase64(iv ?? '')).toEqual(IV)
    // AES-GCM: as long as the plaintext, plus a 16-byte tag.
    expect(fromBase64(data ?? '')).toHaveLength(body(JSON.stringify(RESPONSE)).length + 16)
  })

  it('keeps the body unreadable: the sealed string holds neither the secret nor the plaintext in any encoding', async () => {
    const sealed = await seal(keys, RESPONSE, IV)
    expect(sealed).not.toContain(SECRET_TOKEN)
    expect(sealed).not.toContain('key_01')
    expect(sealed).not.toContain(toBase64Url(body(RESPONSE.body)).slice(0, 16))
    const ciphertext = String.fromCharCode(...(fromBase64(sealed.split('.')[1] ?? '') ?? []))
    expect(ciphertext).not.toContain('secret')
  })

  it('does not open under the keys of another Idempotency-Key', async () => {
    expect(await unseal(otherKey, await seal(keys, RESPONSE, IV))).toBeUndefined()
  })

  it('does not open under the same Idempotency-Key of another caller', async () => {
    expect(await unseal(otherScope, await seal(keys, RESPONSE, IV))).toBeUndefined()
  })

  it('refuses a ciphertext with any byte changed', async () => {
    const sealed = await seal(keys, RESPONSE, IV)
    const [iv, data] = sealed.split('.') as [string, string]
    const bytes = fromBase64(data) ?? new Uint8Array()
    for (const at of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes)
      tampered[at] = (tampered[at] as number) ^ 1
      expect(await unseal(keys, `${iv}.${toBase64Url(tampered)}`)).toBeUndefined()
    }
  })

  it('refuses a changed IV and a truncated ciphertext', async () => {
    const sealed = await seal(keys, RESPONSE, IV)
    const [, data] = sealed.split('.') as [string, string]
    const otherIv = toBase64Url(Uint8Array.from(IV).reverse())
    expect(await unseal(keys, `${otherIv}.${data}`)).toBeUndefined()
    expect(await unseal(keys, `${sealed.split('.')[0]}.${data.slice(0, -4)}`)).toBeUndefined()
  })

  it.each([
    ['an empty string', ''],
    ['no dot', 'abcdef'],
    ['a dot alone', '.'],
    ['no IV', '.AAAAAAAAAAAAAAAAAAAAAA'],
    ['no ciphertext', 'AAAAAAAAAAAAAAAA.'],
    ['an IV that is not base64', '%%%%.AAAAAAAAAAAAAAAAAAAAAA'],
    ['a ciphertext that is not base64', 'AAAAAAAAAAAAAAAA.%%%%'],
    ['a ciphertext shorter than the tag', 'AAAAAAAAAAAAAAAA.AAAA'],
    ['random bytes of a plausible length', `AAAAAAAAAAAAAAAA.${'A'.repeat(60)}`],
  ])('answers undefined, without throwing, for %s', async (_, sealed) => {
    expect(await unseal(keys, sealed)).toBeUndefined()
  })
})

describe('fingerprint', () => {
  it('is equal for equal requests, including under keys derived again', async () => {
    const a = await fingerprint(keys, 'POST', '/v1/checkout', body('{"cart":"c1"}'))
    expect(await fingerprint(keys, 'POST', '/v1/checkout', body('{"cart":"c1"}'))).toBe(a)
    expect(await fingerprint(sameKeysAgain, 'POST', '/v1/checkout', body('{"cart":"c1"}'))).toBe(a)
  })

  it('differs when the method, the path or the body differs', async () => {
    const prints = await Promise.all([
      fingerprint(keys, 'POST', '/v1/checkout', body('{"cart":"c1"}')),
      fingerprint(keys, 'PUT', '/v1/checkout', body('{"cart":"c1"}')),
      fingerprint(keys, 'POST', '/v1/checkouts', body('{"cart":"c1"}')),
      fingerprint(keys, 'POST', '/v1/checkout', body('{"cart":"c2"}')),
      fingerprint(keys, 'POST', '/v1/checkout', body('{"cart":"c1"} ')),
      fingerprint(keys, 'POST', '/v1/checkout', body('')),
    ])
    expect(new Set(prints).size).toBe(prints.length)
  })

  it('is keyed: the same request under another Idempotency-Key or caller gives another fingerprint', async () => {
    const args = ['POST', '/v1/checkout', body('{"cart":"c1"}')] as const
    const prints = await Promise.all([fingerprint(keys, ...args), fingerprint(otherKey, ...args), fingerprint(otherScope, ...args)])
    expect(new Set(prints).size).toBe(3)
  })

  it('is a base64url HMAC-SHA256 (43 characters) that does not carry the body', async () => {
    const print = await fingerprint(keys, 'POST', '/v1/auth/register', body('{"email":"ana@example.com"}'))
    expect(print).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(print).not.toContain('ana')
  })
})
