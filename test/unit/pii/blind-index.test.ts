import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressHash, blindIndex, emailIndex, normalizeEmail } from '../../../src/pii/blind-index'

const hmac = (secret: string) => crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
const key = await hmac('index-key-0123456789abcdef0123456789')
const other = await hmac('index-key-ANOTHER-one-0123456789abcd')

describe('blind indexes (HMAC-SHA-256 under PII_INDEX_KEY)', () => {
  it('finds an address however it is typed: case, surrounding space, Unicode composition', async () => {
    const i = await emailIndex(key, 'ada@example.com')
    expect(await emailIndex(key, '  Ada@Example.COM ')).toBe(i)
    expect(normalizeEmail('Jose\u0301@example.com')).toBe(normalizeEmail('José@example.com'))
    expect(i).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('tells different addresses apart, and depends on the key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), fc.emailAddress(), async (a, b) => {
        fc.pre(normalizeEmail(a) !== normalizeEmail(b))
        expect(await emailIndex(key, a)).not.toBe(await emailIndex(key, b))
        expect(await emailIndex(key, a)).not.toBe(await emailIndex(other, a))
      }),
      { numRuns: 100 },
    )
  })

  it('separates purposes: the same value indexes differently for another use', async () => {
    expect(await blindIndex(key, 'users.email', 'ada@example.com')).not.toBe(await blindIndex(key, 'notification_sends.address:email', 'ada@example.com'))
    expect(await addressHash(key, 'email', 'ada@example.com')).toBe(`h1.${await blindIndex(key, 'notification_sends.address:email', 'ada@example.com')}`)
    expect(await addressHash(key, 'sms', '+33612345678')).not.toBe(await addressHash(key, 'email', '+33612345678'))
  })
})
