import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { declaredType, imageTypes, judgeImage, sniffImage, type ImageType } from '../../../src/listings/image-sniff'

const bytes = (...parts: (number[] | string)[]): Uint8Array => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
const le16 = (n: number) => [n & 255, (n >>> 8) & 255]
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255]

/** The start of a PNG: its signature and IHDR chunk. */
const png = (width: number, height: number) => bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(width), be32(height), [8, 6, 0, 0, 0], [0, 0, 0, 0])
/** A JPEG: SOI, an APP0 segment, then a baseline frame header (SOF0) giving height, then width. */
const jpeg = (width: number, height: number, frame = 0xc0) =>
  bytes([0xff, 0xd8, 0xff, 0xe0], [0, 16], 'JFIF', [0, 1, 1, 0, 0, 1, 0, 1, 0, 0], [0xff, frame, 0, 17, 8], [height >> 8, height & 255, width >> 8, width & 255], [3, 1, 0x22, 0])
const webpLossy = (width: number, height: number) => bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8 ', [0, 0, 0, 0], [0, 0, 0], [0x9d, 0x01, 0x2a], le16(width), le16(height))
const webpLossless = (width: number, height: number) => {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14)
  return bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8L', [0, 0, 0, 0], [0x2f], [bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255])
}
const webpExtended = (width: number, height: number) => bytes('RIFF', [0, 0, 0, 0], 'WEBP', 'VP8X', [10, 0, 0, 0], [0, 0, 0, 0], le24(width - 1), le24(height - 1))

const magicOf: Record<ImageType, (b: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  'image/webp': (b) => String.fromCharCode(...b.slice(0, 4)) === 'RIFF' && String.fromCharCode(...b.slice(8, 12)) === 'WEBP',
}

/** Each image's magic followed by random bytes, with one byte of the whole (often of the magic) set to a random value. */
const nearMagic = fc
  .tuple(fc.constantFrom(bytes([0xff, 0xd8, 0xff]), bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes('RIFF', [0, 0, 0, 0], 'WEBP')), fc.uint8Array({ maxLength: 32 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
  .map(([magic, tail, at, value]) => {
    const b = new Uint8Array([...magic, ...tail])
    b[at % b.length] = value
    return b
  })

describe('sniffImage', () => {
  it('tells JPEG, PNG and WebP by their magic bytes, with the size their headers state', () => {
    expect(sniffImage(png(640, 480))).toEqual({ type: 'image/png', width: 640, height: 480 })
    expect(sniffImage(jpeg(1200, 900))).toEqual({ type: 'image/jpeg', width: 1200, height: 900 })
    expect(sniffImage(jpeg(300, 200, 0xc2))).toEqual({ type: 'image/jpeg', width: 300, height: 200 }) // progressive
    expect(sniffImage(webpLossy(320, 240))).toEqual({ type: 'image/webp', width: 320, height: 240 })
    expect(sniffImage(webpLossless(1, 16384))).toEqual({ type: 'image/webp', width: 1, height: 16384 })
    expect(sniffImage(webpExtended(4000, 3000))).toEqual({ type: 'image/webp', width: 4000, height: 3000 })
  })

  it('knows the type but not the size when the header is cut short', () => {
    expect(sniffImage(png(640, 480).slice(0, 8))).toEqual({ type: 'image/png', width: null, height: null })
    expect(sniffImage(bytes([0xff, 0xd8, 0xff]))).toEqual({ type: 'image/jpeg', width: null, height: null })
    expect(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WEBP'))).toEqual({ type: 'image/webp', width: null, height: null })
    // A DHT segment (C4) is not a frame header, however it looks.
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xc4], [0, 7], [1, 2, 3, 4, 5]))).toEqual({ type: 'image/jpeg', width: null, height: null })
  })

  it('refuses what only resembles an image: a near miss of each magic, text, other formats, nothing', () => {
    for (const b of [
      bytes([0xff, 0xd8, 0xfe, 0xe0]),
      bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b]),
      bytes('RIFF', [0, 0, 0, 0], 'WAVE'),
      bytes('RIFF', [0, 0, 0, 0], 'WEB'),
      bytes('GIF89a'),
      bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      bytes('%PDF-1.7'),
      bytes(),
    ]) {
      expect(sniffImage(b)).toBeNull()
    }
  })

  it('never calls random bytes an image unless they begin with that image’s magic', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), nearMagic), (b) => {
        const sniffed = sniffImage(b)
        const carried = imageTypes.filter((t) => magicOf[t](b))
        expect(sniffed?.type ?? null).toBe(carried[0] ?? null)
      }),
      { numRuns: 2000 },
    )
  })

  it('calls any bytes after a magic that image’s type, and never reads a size of zero or past the end', () => {
    const magics: [ImageType, Uint8Array][] = [
      ['image/jpeg', bytes([0xff, 0xd8, 0xff])],
      ['image/png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
      ['image/webp', bytes('RIFF', [9, 9, 9, 9], 'WEBP')],
    ]
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 80 }), ([type, magic], tail) => {
        const sniffed = sniffImage(new Uint8Array([...magic, ...tail]))
        expect(sniffed?.type).toBe(type)
        for (const n of [sniffed?.width, sniffed?.height]) expect(n === null || (Number.isInteger(n) && n! > 0)).toBe(true)
      }),
    )
  })
})

describe('judgeImage', () => {
  it('takes an image whose bytes are what its Content-Type declares, parameters and case aside', () => {
    expect(judgeImage('image/png', png(2, 3))).toEqual({ ok: true, image: { type: 'image/png', width: 2, height: 3 } })
    expect(judgeImage('Image/JPEG; q=0.9', jpeg(4, 5))).toEqual({ ok: true, image: { type: 'image/jpeg', width: 4, height: 5 } })
    expect(judgeImage('image/webp', webpLossy(6, 7)).ok).toBe(true)
  })

  it('refuses a type it does not take, declared or not', () => {
    for (const declared of [undefined, '', 'image/gif', 'image/svg+xml', 'application/octet-stream', 'application/json', 'image/*']) {
      expect(judgeImage(declared, png(1, 1))).toMatchObject({ ok: false, code: 'unsupported_image_type' })
    }
    expect(judgeImage('image/png', bytes('GIF89a'))).toMatchObject({ ok: false, code: 'unsupported_image_type' })
  })

  it('refuses bytes of one allowed type declared as another, for every pair', () => {
    const samples: Record<ImageType, Uint8Array> = { 'image/jpeg': jpeg(1, 1), 'image/png': png(1, 1), 'image/webp': webpLossy(1, 1) }
    fc.assert(
      fc.property(fc.constantFrom(...imageTypes), fc.constantFrom(...imageTypes), fc.uint8Array({ maxLength: 32 }), (declared, actual, tail) => {
        const verdict = judgeImage(declared, new Uint8Array([...samples[actual], ...tail]))
        if (declared === actual) expect(verdict.ok).toBe(true)
        else expect(verdict).toMatchObject({ ok: false, code: 'image_type_mismatch' })
      }),
    )
  })
})

describe('declaredType', () => {
  it('is the media type alone, lower-cased, or null', () => {
    expect(declaredType(' IMAGE/PNG ; charset=x')).toBe('image/png')
    expect(declaredType(undefined)).toBeNull()
    expect(declaredType(';')).toBeNull()
  })
})
