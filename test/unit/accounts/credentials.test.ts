import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, toHex, utf8 } from '../../../src/core/bytes'
import { credentialHash, displayPrefix, mintToken, parseBearer, TOKEN_RANDOM_BYTES } from '../../../src/accounts/credentials'

const bytesArb = fc.uint8Array({ minLength: TOKEN_RANDOM_BYTES, maxLength: TOKEN_RANDOM_BYTES })
const fixed = Uint8Array.from({ length: TOKEN_RANDOM_BYTES }, (_, i) => i)
const SESSION = mintToken('session', fixed)
const API_KEY = mintToken('api_key', fixed)

describe('mintToken', () => {
  it('makes a session token: st_ and 43 base64url characters', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        expect(mintToken('session', bytes)).toMatch(/^st_[A-Za-z0-9_-]{43}$/)
      }),
    )
  })

  it('makes an API key: sk_ and 43 base64url characters', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        expect(mintToken('api_key', bytes)).toMatch(/^sk_[A-Za-z0-9_-]{43}$/)
      }),
    )
  })

  it('carries all 256 random bits', () => {
    expect(fromBase64(SESSION.slice(3))).toEqual(fixed)
  })

  it.each([0, TOKEN_RANDOM_BYTES - 1, TOKEN_RANDOM_BYTES + 1])('refuses %i random bytes', (length) => {
    expect(() => mintToken('session', new Uint8Array(length))).toThrow(RangeError)
  })

  it('is read back by parseBearer as the kind it was minted as (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('session' as const, 'api_key' as const), bytesArb, (kind, bytes) => {
        const token = mintToken(kind, bytes)
        expect(parseBearer(`Bearer ${token}`)).toEqual({ kind, token })
      }),
    )
  })
})

describe('parseBearer', () => {
  it.each([
    ['a session token', `Bearer ${SESSION}`, { kind: 'session', token: SESSION }],
    ['an API key', `Bearer ${API_KEY}`, { kind: 'api_key', token: API_KEY }],
    ['a lower-case scheme', `bearer ${API_KEY}`, { kind: 'api_key', token: API_KEY }],
    ['an upper-case scheme', `BEARER ${SESSION}`, { kind: 'session', token: SESSION }],
    ['several spaces and a trailing space', `Bearer   ${SESSION} `, { kind: 'session', token: SESSION }],
  ])('reads %s', (_, header, expected) => {
    expect(parseBearer(header)).toEqual(expected)
  })

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['a token without the scheme', SESSION],
    ['Basic credentials', `Basic ${btoa('ana:pw')}`],
    ['another scheme', `Token ${SESSION}`],
    ['no space after the scheme', `Bearer${SESSION}`],
    ['two tokens', `Bearer ${SESSION} ${API_KEY}`],
    ['a leading space', ` Bearer ${SESSION}`],
    ['a webhook-secret prefix', `Bearer whsec_${SESSION.slice(3)}`],
    ['an unknown prefix', `Bearer pk_${SESSION.slice(3)}`],
    ['an upper-case prefix', `Bearer ST_${SESSION.slice(3)}`],
    ['no prefix', `Bearer ${SESSION.slice(3)}`],
    ['one character short', `Bearer ${SESSION.slice(0, -1)}`],
    ['one character long', `Bearer ${SESSION}A`],
    ['standard base64 characters', `Bearer st_${'+'.repeat(43)}`],
    ['padding', `Bearer st_${'A'.repeat(42)}=`],
  ])('answers undefined for %s', (_, header) => {
    expect(parseBearer(header)).toBeUndefined()
  })
})

describe('credentialHash', () => {
  it('is the hex SHA-256 of the whole token, prefix included', async () => {
    const digest = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(API_KEY))))
    expect(await credentialHash(API_KEY)).toBe(digest)
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(await credentialHash(API_KEY)).not.toBe(await credentialHash(SESSION))
  })
})

describe('displayPrefix', () => {
  it('shows sk_ and the next six characters, never more of the secret', () => {
    expect(displayPrefix(API_KEY)).toBe(API_KEY.slice(0, 9))
    expect(displayPrefix(API_KEY)).toMatch(/^sk_[A-Za-z0-9_-]{6}$/)
    expect(displayPrefix('sk_abcdefghijklmnop')).toBe('sk_abcdef')
  })
})
