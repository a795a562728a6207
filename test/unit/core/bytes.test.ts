import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { constantTimeEqual, fromBase64, hmacSha256, sha256Hex, toBase64Url, toHex, utf8 } from '../../../src/core/bytes'

describe('base64url', () => {
  it('round-trips any bytes, using only the URL-safe alphabet and no padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = toBase64Url(bytes)
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/)
        expect(fromBase64(text)).toEqual(bytes)
      }),
    )
  })

  // RFC 4648 §10, in the URL-safe alphabet without padding (§5).
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes the RFC 4648 vector %j as %j', (text, encoded) => {
    expect(toBase64Url(utf8(text))).toBe(encoded)
    expect(fromBase64(encoded)).toEqual(utf8(text))
  })

  it('uses - and _ where standard base64 has + and /', () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_')
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  it('also decodes standard base64, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const standard = btoa(String.fromCharCode(...bytes))
        expect(fromBase64(standard)).toEqual(bytes)
        expect(fromBase64(standard.replace(/=+$/, ''))).toEqual(bytes)
      }),
    )
  })

  it('decodes the characters that differ between the two alphabets alike', () => {
    expect(fromBase64('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]))
    expect(fromBase64('+/+/')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]))
  })

  it.each([
    ['one character, which holds less than a byte', 'A'],
    ['five characters', 'AAAAA'],
    ['only padding', '===='],
    ['three padding characters', 'A==='],
    ['padding in the middle', 'AA=A'],
    ['padding after a full quantum', 'AAAA='],
    ['a character outside both alphabets', 'AA$A'],
    ['inner whitespace', 'AA AA'],
    ['a trailing newline', 'AAAA\n'],
    ['a dot', 'AAAA.AAAA'],
    ['non-ASCII', 'AAAé'],
  ])('returns undefined for %s', (_, text) => {
    expect(fromBase64(text)).toBeUndefined()
  })
})

describe('toHex', () => {
  it('writes two lower-case digits per byte', () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe('00010f10abff')
  })
})

describe('constantTimeEqual', () => {
  it('is true for equal contents in different arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(constantTimeEqual(bytes, Uint8Array.from(bytes))).toBe(true)
      }),
    )
  })

  it('is false when any single byte differs, whichever bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (bytes, at, bit) => {
        const other = Uint8Array.from(bytes)
        const i = at % bytes.length
        other[i] = (other[i] as number) ^ (1 << bit)
        expect(constantTimeEqual(bytes, other)).toBe(false)
      }),
    )
  })

  it('is false for different lengths, even when one is a prefix of the other', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([0]))).toBe(false)
  })

  it('is true for two empty arrays', () => {
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true)
  })
})

describe('sha256Hex', () => {
  // FIPS 180-2 appendix B.1 and the empty message.
  it('matches the published vectors', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('hashes the UTF-8 bytes of the text', async () => {
    // "é" is c3 a9 in UTF-8; SHA-256 of those two bytes, not of the single Latin-1 byte e9.
    const viaBytes = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([0xc3, 0xa9]))))
    expect(await sha256Hex('é')).toBe(viaBytes)
  })
})

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2 (a key shorter than the block)', async () => {
    const mac = await hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?'))
    expect(toHex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })

  it('matches RFC 4231 test case 6 (a key longer than the block, hashed first)', async () => {
    const key = new Uint8Array(131).fill(0xaa)
    const mac = await hmacSha256(key, utf8('Test Using Larger Than Block-Size Key - Hash Key First'))
    expect(toHex(mac)).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54')
  })

  it('depends on the key', async () => {
    const message = utf8('same message')
    expect(toHex(await hmacSha256(utf8('key one'), message))).not.toBe(toHex(await hmacSha256(utf8('key two'), message)))
  })
})
