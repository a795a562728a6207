/**
 * What a listing photo's bytes are, judged from the bytes alone (never from the name or the
 * declared type): JPEG, PNG or WebP by their magic numbers, and the picture's size where its
 * header says it cheaply. Pure.
 */
export const imageTypes = ['image/jpeg', 'image/png', 'image/webp'] as const
export type ImageType = (typeof imageTypes)[number]

/** The largest photo a listing takes, in bytes (5 MB). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024

export type SniffedImage = { type: ImageType; width: number | null; height: number | null }

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const ascii = (b: Uint8Array, at: number, text: string): boolean => [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0))
const startsWith = (b: Uint8Array, magic: number[]): boolean => b.length >= magic.length && magic.every((v, i) => b[i] === v)
const u16be = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)
const u16le = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8)
const u24le = (b: Uint8Array, at: number): number => u16le(b, at) | ((b[at + 2] ?? 0) << 16)
const u32be = (b: Uint8Array, at: number): number => u16be(b, at) * 0x10000 + u16be(b, at + 2)
/** A size a header states, or null where the bytes are too short to state one or it is zero. */
const size = (b: Uint8Array, end: number, width: number, height: number) => (b.length >= end && width > 0 && height > 0 ? { width, height } : { width: null, height: null })

/** The image type the bytes carry the magic of, with its size when the header gives it; null for anything else. */
export function sniffImage(b: Uint8Array): SniffedImage | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { type: 'image/jpeg', ...jpegSize(b) }
  if (startsWith(b, PNG_MAGIC)) {
    // The first chunk is IHDR: width and height, big-endian, at 16 and 20.
    return { type: 'image/png', ...(ascii(b, 12, 'IHDR') ? size(b, 24, u32be(b, 16), u32be(b, 20)) : size(b, 0, 0, 0)) }
  }
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return { type: 'image/webp', ...webpSize(b) }
  return null
}

/** A JPEG's size from its first start-of-frame segment, walking the segments that precede it. */
function jpegSize(b: Uint8Array): { width: number | null; height: number | null } {
  let at = 2
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) break
    const marker = b[at + 1] ?? 0
    if (marker === 0xff) {
      at += 1 // fill byte
      continue
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC): height, then width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return size(b, at + 9, u16be(b, at + 7), u16be(b, at + 5))
    if (marker === 0xd9 || marker === 0xda) break // end of image, or scan data: no frame header before it
    const length = u16be(b, at + 2)
    if (length < 2) break
    at += 2 + length
  }
  return { width: null, height: null }
}

/** A WebP's size from its first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended). */
function webpSize(b: Uint8Array): { width: number | null; height: number | null } {
  if (ascii(b, 12, 'VP8 ')) return size(b, 30, u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff)
  if (ascii(b, 12, 'VP8L')) {
    const bits = ((b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24)) >>> 0
    return size(b, 25, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1)
  }
  if (ascii(b, 12, 'VP8X')) return size(b, 30, u24le(b, 24) + 1, u24le(b, 27) + 1)
  return { width: null, height: null }
}

/** The media type a `Content-Type` header names, without its parameters, lower-cased; null when absent. */
export function declaredType(contentType: string | undefined): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  return type ? type : null
}

export type ImageVerdict =
  | { ok: true; image: SniffedImage }
  | { ok: false; code: 'unsupported_image_type' | 'image_type_mismatch'; detail: string }

const isImageType = (t: string | null): t is ImageType => (imageTypes as readonly string[]).includes(t ?? '')

/**
 * An upload is taken when it declares JPEG, PNG or WebP and its bytes are what it declares:
 * an unknown or missing type, or bytes of no allowed type, is `unsupported_image_type`; bytes of
 * another allowed type than the declared one, `image_type_mismatch`.
 */
export function judgeImage(contentType: string | undefined, bytes: Uint8Array): ImageVerdict {
  const declared = declaredType(contentType)
  if (!isImageType(declared)) return { ok: false, code: 'unsupported_image_type', detail: `Content-Type must be one of ${imageTypes.join(', ')}` }
  const image = sniffImage(bytes)
  if (!image) return { ok: false, code: 'unsupported_image_type', detail: 'The bytes are not a JPEG, PNG or WebP image' }
  if (image.type !== declared) return { ok: false, code: 'image_type_mismatch', detail: `Declared ${declared}, but the bytes are ${image.type}` }
  return { ok: true, image }
}
