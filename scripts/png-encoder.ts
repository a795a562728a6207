import { deflateSync } from 'node:zlib'

/**
 * A tiny PNG encoder for the demo seed's pictures (scripts/demo-pictures.ts): 8-bit RGB, one
 * IDAT chunk, each row filtered with Sub (which suits gradients), zlib from node:zlib. Nothing is
 * downloaded and no image library is needed. PNG: https://www.w3.org/TR/png-3/
 */
export type RgbImage = { width: number; height: number; /** width × height × 3 bytes, row by row */ rgb: Uint8Array }

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 (ISO 3309, the one PNG and zlib use) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]

/** One chunk: length, type, data, and the CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = new Uint8Array(4 + data.length)
  typed.set([...type].map((c) => c.charCodeAt(0)))
  typed.set(data, 4)
  const out = new Uint8Array(12 + data.length)
  out.set(u32(data.length))
  out.set(typed, 4)
  out.set(u32(crc32(typed)), 8 + data.length)
  return out
}

/** The image's rows, each prefixed by filter type 1 (Sub: each byte less the same byte of the pixel to its left). */
export function filteredRows({ width, height, rgb }: RgbImage): Uint8Array {
  const stride = width * 3
  const out = new Uint8Array(height * (stride + 1))
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1)
    out[row] = 1
    for (let x = 0; x < stride; x++) {
      const here = rgb[y * stride + x] ?? 0
      const left = x >= 3 ? (rgb[y * stride + x - 3] ?? 0) : 0
      out[row + 1 + x] = (here - left) & 0xff
    }
  }
  return out
}

export function encodePng(image: RgbImage): Uint8Array {
  const { width, height, rgb } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3) {
    throw new RangeError(`an RGB image of ${width}×${height} needs ${width * height * 3} bytes, not ${rgb.length}`)
  }
  // Width, height, bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
  const header = new Uint8Array([...u32(width), ...u32(height), 8, 2, 0, 0, 0])
  const parts = [new Uint8Array(SIGNATURE), chunk('IHDR', header), chunk('IDAT', new Uint8Array(deflateSync(filteredRows(image), { level: 6 }))), chunk('IEND', new Uint8Array(0))]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
