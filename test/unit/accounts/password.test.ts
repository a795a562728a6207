import { beforeAll, describe, expect, it } from 'vitest'
import { decoyHash, hashPassword, needsRehash, PBKDF2_ITERATIONS, SALT_BYTES, verifyPassword } from '../../../src/accounts/password'
import { fromBase64, toBase64Url, utf8 } from '../../../src/core/bytes'

// Every hash or verify at the current cost is one PBKDF2 run of 100,000 iterations (~20 ms): the cases share a few.
const PASSWORD = 'correct horse battery staple'
const SALT = Uint8Array.from({ length: SALT_BYTES }, (_, i) => i * 7 + 3)
const OTHER_SALT = Uint8Array.from({ length: SALT_BYTES }, (_, i) => 255 - i)

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
const encode = (iterations: number | string, salt: Uint8Array, hash: Uint8Array) =>
  ['pbkdf2-sha256', iterations, toBase64Url(salt), toBase64Url(hash)].join('$')

// RFC 7914 §11, PBKDF2-HMAC-SHA256: the first 32 bytes of each published output.
const RFC_PASSWD = { password: 'passwd', salt: utf8('salt'), iterations: 1, hash: hexBytes('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc') }
const RFC_NACL = {
  password: 'Password',
  salt: utf8('NaCl'),
  iterations: 80_000,
  hash: hexBytes('4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56'),
}

/** PBKDF2 straight from WebCrypto, to make encodings the module did not write. */
async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256))
}

describe('hashPassword', () => {
  let hashed: string
  beforeAll(async () => {
    hashed = await hashPassword(PASSWORD, SALT)
  })

  it('writes scheme, iterations, salt and the PBKDF2-HMAC-SHA256 output in the documented form', async () => {
    const expected = await pbkdf2(PASSWORD, SALT, PBKDF2_ITERATIONS)
    expect(hashed).toBe(`pbkdf2-sha256$100000$${toBase64Url(SALT)}$${toBase64Url(expected)}`)
  })

  it('verifies the same password and refuses another, even one character off', async () => {
    expect(await verifyPassword(PASSWORD, hashed)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', hashed)).toBe(false)
    expect(await verifyPassword('', hashed)).toBe(false)
  })

  it('gives different hashes for the same password under different salts, each verifying', async () => {
    const other = await hashPassword(PASSWORD, OTHER_SALT)
    expect(other.split('$')[3]).not.toBe(hashed.split('$')[3])
    expect(await verifyPassword(PASSWORD, other)).toBe(true)
  })

  it('does not need a rehash at the current cost', () => {
    expect(needsRehash(hashed)).toBe(false)
  })

  it.each([0, SALT_BYTES - 1, SALT_BYTES + 1, 32])('refuses a salt of %i bytes', async (length) => {
    await expect(hashPassword(PASSWORD, new Uint8Array(length))).rejects.toThrow(RangeError)
  })
})

describe('verifyPassword', () => {
  it.each([RFC_PASSWD, RFC_NACL])('checks against the RFC 7914 vector for $password, at the iteration count it names', async (v) => {
    const encoded = encode(v.iterations, v.salt, v.hash)
    expect(await verifyPassword(v.password, encoded)).toBe(true)
    expect(await verifyPassword(`${v.password}!`, encoded)).toBe(false)
    expect(needsRehash(encoded)).toBe(true) // cheaper than today's cost
  })

  it('normalizes to NFKC, so the same password typed two ways verifies', async () => {
    // U+FB01 LATIN SMALL LIGATURE FI is NFKC-equivalent to "fi".
    const encoded = encode(1_000, SALT, await pbkdf2('fish and chips', SALT, 1_000))
    expect(await verifyPassword('\uFB01sh and chips', encoded)).toBe(true)
  })

  const good = encode(RFC_PASSWD.iterations, RFC_PASSWD.salt, RFC_PASSWD.hash)
  const salt = toBase64Url(RFC_PASSWD.salt)
  const hash = toBase64Url(RFC_PASSWD.hash)
  it.each([
    ['the empty string', ''],
    ['another scheme', `pbkdf2-sha512$1$${salt}$${hash}`],
    ['an upper-case scheme', `PBKDF2-SHA256$1$${salt}$${hash}`],
    ['bcrypt', '$2b$12$abcdefghijklmnopqrstuuLdRLyeo5Q1r8p3JUZ9XUgWjNYJDu5aG'],
    ['more iterations than the ceiling', `pbkdf2-sha256$${PBKDF2_ITERATIONS + 1}$${salt}$${hash}`],
    ['a huge iteration count', `pbkdf2-sha256$999999999999$${salt}$${hash}`],
    ['zero iterations', `pbkdf2-sha256$0$${salt}$${hash}`],
    ['negative iterations', `pbkdf2-sha256$-1$${salt}$${hash}`],
    ['fractional iterations', `pbkdf2-sha256$1.5$${salt}$${hash}`],
    ['non-numeric iterations', `pbkdf2-sha256$one$${salt}$${hash}`],
    ['a salt that is not base64', `pbkdf2-sha256$1$not*base64$${hash}`],
    ['a hash that is not base64', `pbkdf2-sha256$1$${salt}$%%%`],
    ['a hash one byte short', encode(1, RFC_PASSWD.salt, RFC_PASSWD.hash.subarray(0, 31))],
    ['a hash one byte long', encode(1, RFC_PASSWD.salt, Uint8Array.from([...RFC_PASSWD.hash, 0]))],
    ['an extra field', `${good}$extra`],
    ['an empty extra field', `${good}$`],
    ['a missing field', `pbkdf2-sha256$1$${hash}`],
    ['an empty salt', `pbkdf2-sha256$1$$${hash}`],
  ])('answers false, without throwing, for %s', async (_, encoded) => {
    await expect(verifyPassword(RFC_PASSWD.password, encoded)).resolves.toBe(false)
    expect(needsRehash(encoded)).toBe(true) // a malformed hash is never "current"
  })

  it('still verifies the unaltered encoding those cases were made from', async () => {
    expect(await verifyPassword(RFC_PASSWD.password, good)).toBe(true)
  })
})

describe('decoyHash', () => {
  it('is a well-formed hash at the current cost, so checking it costs a full PBKDF2 run', () => {
    // needsRehash is false only for an encoding that parses with the current iteration count.
    expect(needsRehash(decoyHash)).toBe(false)
    const [scheme, iterations, salt, hash, ...rest] = decoyHash.split('$')
    expect([scheme, Number(iterations), rest]).toEqual(['pbkdf2-sha256', PBKDF2_ITERATIONS, []])
    expect(fromBase64(salt ?? '')).toHaveLength(SALT_BYTES)
    expect(fromBase64(hash ?? '')).toHaveLength(32)
  })

  it('matches no likely password and never throws', async () => {
    await expect(verifyPassword(PASSWORD, decoyHash)).resolves.toBe(false)
    await expect(verifyPassword('', decoyHash)).resolves.toBe(false)
  })
})
