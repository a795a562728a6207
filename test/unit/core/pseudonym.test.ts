import { describe, expect, it } from 'vitest'
import { toBase64Url, utf8 } from '../../../src/core/bytes'
import { pseudonym } from '../../../src/core/pseudonym'

const KEY = 'k'.repeat(32)
const OTHER_KEY = 'j'.repeat(32)

describe('pseudonym', () => {
  it('is stable for the same key, purpose and value', async () => {
    expect(await pseudonym(KEY, 'ip', '203.0.113.7')).toBe(await pseudonym(KEY, 'ip', '203.0.113.7'))
  })

  it('is 22 base64url characters (128 bits)', async () => {
    expect(await pseudonym(KEY, 'ip', '203.0.113.7')).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('differs by key, by purpose and by value', async () => {
    const base = await pseudonym(KEY, 'ip', '203.0.113.7')
    const variants = await Promise.all([
      pseudonym(OTHER_KEY, 'ip', '203.0.113.7'),
      pseudonym(KEY, 'email', '203.0.113.7'),
      pseudonym(KEY, 'ip', '203.0.113.8'),
    ])
    for (const v of variants) expect(v).not.toBe(base)
    expect(new Set(variants).size).toBe(3)
  })

  it('does not move the boundary between purpose and value silently', async () => {
    // "ip" + "x" and "i" + "px" would collide under plain concatenation.
    expect(await pseudonym(KEY, 'ip', 'x')).not.toBe(await pseudonym(KEY, 'i', 'px'))
  })

  it('contains no trace of the input', async () => {
    const email = 'ana.maria@example.com'
    const p = await pseudonym(KEY, 'email', email)
    for (const part of ['ana', 'maria', 'example', 'com', 'email']) expect(p.toLowerCase()).not.toContain(part)
    expect(p).not.toContain(toBase64Url(utf8(email)).slice(0, 8))
  })
})
