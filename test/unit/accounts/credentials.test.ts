import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, toHex, utf8 } from '../../../src/core/bytes'
import { credentialHash, displayPrefix, mintToken, parseBearer, TOKEN_RANDOM_BYTES } from '../../../src/accounts/credentials'

const bytesArb = fc.uint8Array({ minLength: TOKEN_RANDOM_BYTES, maxLength: TOKEN_RANDOM_BYTES })
const fixed = Uint8Array.from({ length: TOKEN_RANDOM_BYTES }, (_, i) => i)
const USER = 'usr_01jd3v6w2k8m4n5p6q7r8s9t0v'
const BODY = USER.slice(4)
const SESSION = mintToken('session', USER, fixed)
const API_KEY = mintToken('api_key', USER, fixed)
const userIdArb = fc.stringMatching(/^[0-9a-hjkmnp-tv-z]{26}$/).map((b) => `usr_${b}`)

describe('mintToken', () => {
  it('makes a session token: st_, the user id body and 43 base64url characters', () => {
    fc.assert(
      fc.property(userIdArb, bytesArb, (userId, bytes) => {
        expect(mintToken('session', userId, bytes)).toMatch(new RegExp(`^st_${userId.slice(4)}[A-Za-z0-9_-]{43}$`))
      }),
    )
  })

  it('makes an API key: sk_, the user id body and 43 base64url characters', () => {
    fc.assert(
      fc.property(userIdArb, bytesArb, (userId, bytes) => {
        expect(mintToken('api_key', userId, bytes)).toMatch(new RegExp(`^sk_${userId.slice(4)}[A-Za-z0-9_-]{43}$`))
      }),
    )
  })

  it('carries all 256 random bits after the user id', () => {
    expect(fromBase64(SESSION.slice(3 + 26))).toEqual(fixed)
  })

  it.each([0, TOKEN_RANDOM_BYTES - 1, TOKEN_RANDOM_BYTES + 1])('refuses %i random bytes', (length) => {
    expect(() => mintToken('session', USER, new Uint8Array(length))).toThrow(RangeError)
  })

  it.each(['lst_01jd3v6w2k8m4n5p6q7r8s9t0v', 'usr_short', 'usr_01JD3V6W2K8M4N5P6Q7R8S9T0V', ''])('refuses to mint for %j, which is not a user id', (userId) => {
    expect(() => mintToken('session', userId, fixed)).toThrow(RangeError)
  })

  it('is read back by parseBearer as the kind and user it was minted for (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('session' as const, 'api_key' as const), userIdArb, bytesArb, (kind, userId, bytes) => {
        const token = mintToken(kind, userId, bytes)
        expect(parseBearer(`Bearer ${token}`)).toEqual({ kind, token, userId })
      }),
    )
  })
})

describe('parseBearer', () => {
  it.each([
    ['a session token', `Bearer ${SESSION}`, { kind: 'session', token: SESSION, userId: USER }],
    ['an API key', `Bearer ${API_KEY}`, { kind: 'api_key', token: API_KEY, userId: USER }],
    ['a lower-case scheme', `bearer ${API_KEY}`, { kind: 'api_key', token: API_KEY, userId: USER }],
    ['an upper-case scheme', `BEARER ${SESSION}`, { kind: 'session', token: SESSION, userId: USER }],
    ['several spaces and a trailing space', `Bearer   ${SESSION} `, { kind: 'session', token: SESSION, userId: USER }],
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
    ['standard base64 characters', `Bearer st_${BODY}${'+'.repeat(43)}`],
    ['padding', `Bearer st_${BODY}${'A'.repeat(42)}=`],
    ['a token of the old shape, with no user in it', `Bearer st_${'A'.repeat(43)}`],
    ['an upper-case user id', `Bearer st_${BODY.toUpperCase()}${'A'.repeat(43)}`],
    ['a user id with a letter Crockford leaves out', `Bearer st_${'u'.repeat(26)}${'A'.repeat(43)}`],
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
  it('shows sk_… and the last four characters, which tell one user’s keys apart, never more of the secret', () => {
    expect(displayPrefix(API_KEY)).toBe(`sk_…${API_KEY.slice(-4)}`)
    expect(displayPrefix('sk_abcdefghijklmnop')).toBe('sk_…mnop')
    const other = mintToken('api_key', USER, fixed.map((b) => 255 - b))
    expect(displayPrefix(other)).not.toBe(displayPrefix(API_KEY))
  })
})
