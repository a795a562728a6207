import { Buffer } from 'node:buffer'
import { pbkdf2Sync } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { decoyHash, hashPassword, needsRehash, PBKDF2_ITERATIONS, SALT_BYTES, verifyPassword } from '../../../src/accounts/password'

// Every hash or verify is one PBKDF2 run at 100,000 iterations: the cases below share a few.
const PASSWORD = 'correct horse battery staple'
const SALT = Uint8Array.from({ length: SALT_BYTES }, (_, i) => i * 7 + 3)
const OTHER_SALT = Uint8Array.from({ length: SALT_BYTES }, (_, i) => 255 - i)
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

/** An encoding made without the module, for the parser to judge. */
function encodeWith(iterations: number, password = PASSWORD, salt = SALT, keyLength = 32): string {
  const hash = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, keyLength, 'sha256')
  return ['pbkdf2-sha256', iterations, b64url(salt), b64url(hash)].join('$')
}

describe('hashPassword', () => {
  let hashed: string
  beforeAll(async () => {
    hashed = await hashPassword(PASSWORD, SALT)
  })

  it('writes scheme, iterations, salt and PBKDF2-HMAC-SHA256 output in the documented form', async () => {
    const expected = pbkdf2Sync(PASSWORD, SALT, PBKDF2_ITERATIONS, 32, 'sha256')
    expect(hashed).toBe(`pbkdf2-sha256$100000$${b64url(SALT)}$${b64url(expected)}`)
  })

  it('verifies the same password and refuses another, even one character off', async () => {
    expect(await verifyPassword(PASSWORD, hashed)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', hashed)).toBe(false)
    expect(await verifyPassword('', hashed)).toBe(false)
  })

  it('gives different hashes for the same password under different salts, each verifying', async () => {
    const other = await hashPassword(PASSWORD, OTHER_SALT)
    expect(other).not.toBe(hashed)
    expect(other.split('$')[3]).not.toBe(hashed.split('$')[3])
    expect(await verifyPassword(PASSWORD, other)).toBe(true)
  })

  it('does not need a rehash at the current cost', async () => {
    expect(needsRehash(hashed)).toBe(false)
  })

  it.each([0, SALT_BYTES - 1, SALT_BYTES + 1, 32])('refuses a salt of %i bytes', async (length) => {
    await expect(hashPassword(PASSWORD, new Uint8Array(length))).rejects.toThrow(RangeError)
  })

  it('normalizes to NFKC, so the same password typed two ways verifies', async () => {
    // U+FB01 LATIN SMALL LIGATURE FI is NFKC-equivalent to "fi".
    expect(await verifyPassword('ﬁsh and chips', encodeWith(1000, 'fish and chips'))).toBe(true)
  })
})

describe('verifyPassword on other encodings', () => {
  it('uses the iteration count the encoding names', async () => {
    const cheap = encodeWith(1000)
    expect(await verifyPassword(PASSWORD, cheap)).toBe(true)
    expect(await verifyPassword('wrong', cheap)).toBe(false)
    expect(needsRehash(cheap)).toBe(true)
  })

  const good = encodeWith(1000)
  const [, , salt, hash] = good.split('$') as [string, string, string, string]
  it.each([
    ['the empty string', ''],
    ['another scheme', `pbkdf2-sha512$1000$${salt}$${hash}`],
    ['bcrypt', '$2b$12$abcdefghijklmnopqrstuuLdRLyeo5Q1r8p3JUZ9XUgWjNYJDu5aG'],
    ['more iterations than the ceiling', `pbkdf2-sha256$${PBKDF2_ITERATIONS + 1}$${salt}$${hash}`],
    ['a huge iteration count', `pbkdf2-sha256$999999999999$${salt}$${hash}`],
    ['zero iterations', `pbkdf2-sha256$0$${salt}$${hash}`],
    ['negative iterations', `pbkdf2-sha256$-1000$${salt}$${hash}`],
    ['fractional iterations', `pbkdf2-sha256$1000.5$${salt}$${hash}`],
    ['non-numeric iterations', `pbkdf2-sha256$many$${salt}$${hash}`],
    ['a salt that is not base64', `pbkdf2-sha256$1000$not*base64$${hash}`],
    ['a hash that is not base64', `pbkdf2-sha256$1000$${salt}$%%%`],
    ['a hash one byte short', `pbkdf2-sha256$1000$${salt}$${b64url(Buffer.from(hash, 'base64url').subarray(0, 31))}`],
    ['a hash one byte long', `pbkdf2-sha256$1000$${salt}$${b64url(Buffer.concat([Buffer.from(hash, 'base64url'), Buffer.from([0])]))}`],
    ['an extra field', `${good}$extra`],
    ['an empty extra field', `${good}$`],
    ['a missing field', `pbkdf2-sha256$1000$${hash}`],
    ['an empty salt', `pbkdf2-sha256$1000$$${hash}`],
  ])('answers false, without throwing, for %s', async (_, encoded) => {
    expect(await verifyPassword(PASSWORD, encoded)).toBe(false)
    expect(needsRehash(encoded)).toBe(true) // a malformed hash is never "current"
  })

  it('still verifies the unaltered encoding those cases were made from', async () => {
    expect(await verifyPassword(PASSWORD, good)).toBe(true)
  })
})

describe('decoyHash', () => {
  it('is a well-formed hash at the current cost, so checking it costs a full PBKDF2 run', () => {
    // needsRehash is false only for an encoding that parses with the current iteration count.
    expect(needsRehash(decoyHash)).toBe(false)
    const [scheme, iterations, salt, hash] = decoyHash.split('$') as [string, string, string, string]
    expect(scheme).toBe('pbkdf2-sha256')
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS)
    expect(Buffer.from(salt, 'base64url')).toHaveLength(SALT_BYTES)
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32)
  })

  it('matches no likely password and never throws', async () => {
    await expect(verifyPassword(PASSWORD, decoyHash)).resolves.toBe(false)
    await expect(verifyPassword('', decoyHash)).resolves.toBe(false)
  })
})
