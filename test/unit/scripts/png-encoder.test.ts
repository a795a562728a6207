import fc from 'fast-check'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { drawPicture, initialsOf, motifs, PICTURE_HEIGHT, PICTURE_WIDTH } from '../../../scripts/demo-pictures'
import { crc32, encodePng, type RgbImage } from '../../../scripts/png-encoder'
import { demoCatalog, demoPhotos } from '../../../scripts/seed-listings'
import { sniffImage } from '../../../src/listings/image-sniff'

const text = (b: Uint8Array) => String.fromCharCode(...b)
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!

/** A PNG's chunks, each checked against its CRC; a decoder's first steps. */
function chunksOf(png: Uint8Array): { type: string; data: Uint8Array }[] {
  expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const chunks = []
  for (let at = 8; at < png.length; ) {
    const length = u32(png, at)
    const typed = png.slice(at + 4, at + 8 + length)
    expect(u32(png, at + 8 + length), text(typed.slice(0, 4))).toBe(crc32(typed))
    chunks.push({ type: text(typed.slice(0, 4)), data: typed.slice(4) })
    at += 12 + length
  }
  return chunks
}

/** The pixels back out of an RGB PNG this encoder wrote: inflate, then undo each row's filter (None or Sub). */
function decode(png: Uint8Array): RgbImage {
  const chunks = chunksOf(png)
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
  const header = chunks[0]!.data
  const [width, height] = [u32(header, 0), u32(header, 4)]
  expect([...header.slice(8)]).toEqual([8, 2, 0, 0, 0])
  const raw = new Uint8Array(inflateSync(chunks[1]!.data))
  const stride = width * 3
  expect(raw.length).toBe(height * (stride + 1))
  const rgb = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    expect([0, 1]).toContain(filter)
    for (let x = 0; x < stride; x++) {
      const left = filter === 1 && x >= 3 ? rgb[y * stride + x - 3]! : 0
      rgb[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + left) & 0xff
    }
  }
  return { width, height, rgb }
}

describe('crc32', () => {
  it('is the CRC-32 PNG and zlib use', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082)
  })
})

describe('encodePng', () => {
  it('writes any RGB image so that a decoder reads back the same pixels', () => {
    const image = fc.record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) }).chain(({ width, height }) =>
      fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }).map((rgb) => ({ width, height, rgb })),
    )
    fc.assert(
      fc.property(image, (img) => {
        const png = encodePng(img)
        expect(decode(png)).toEqual(img)
        expect(sniffImage(png)).toEqual({ type: 'image/png', width: img.width, height: img.height })
      }),
      { numRuns: 150 },
    )
  })

  it('refuses pixels that do not fill the size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(11) })).toThrow(RangeError)
    expect(() => encodePng({ width: 0, height: 2, rgb: new Uint8Array(0) })).toThrow(RangeError)
  })
})

describe('the demo pictures', () => {
  it('draws the initials of the letters and digits the font has, three at most', () => {
    expect(initialsOf('hsm')).toBe('HSM')
    expect(initialsOf('a-1 é b c d')).toBe('A1B')
    expect(initialsOf('')).toBe('')
  })

  it('are the same every time, and differ between photos of a listing and between listings', () => {
    const spec = { initials: 'AB', from: [10, 20, 30], to: [200, 100, 50], motif: motifs[0] } as const
    expect(drawPicture(spec, 1, 40, 30)).toEqual(drawPicture(spec, 1, 40, 30))
    const first = drawPicture(spec, 0)
    expect([first.width, first.height]).toEqual([PICTURE_WIDTH, PICTURE_HEIGHT])
    expect(drawPicture(spec, 1).rgb).not.toEqual(first.rgb)
    expect(drawPicture({ ...spec, initials: 'XY' }, 0).rgb).not.toEqual(first.rgb)
  })

  it('give each catalog item one to three PNGs, well under the 5 MB a photo may weigh, and no two alike', () => {
    expect(demoCatalog.length).toBeGreaterThanOrEqual(12)
    const seen = new Set<string>()
    for (const item of demoCatalog) {
      const photos = demoPhotos(item)
      expect(photos.length).toBe(item.photos)
      for (const png of photos) {
        expect(sniffImage(png)).toEqual({ type: 'image/png', width: PICTURE_WIDTH, height: PICTURE_HEIGHT })
        expect(png.length).toBeLessThan(200_000)
        seen.add(Buffer.from(png).toString('base64'))
      }
    }
    expect(seen.size).toBe(demoCatalog.reduce((n, i) => n + i.photos, 0))
  })
})
