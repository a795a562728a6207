import type { RgbImage } from './png-encoder.ts'

/**
 * The demo listings' photos, drawn rather than downloaded: a two-colour gradient, a motif (a disc,
 * rings, stripes, a diamond, dots or waves) and the item's initials in a 5×7 pixel font on a
 * plate. Each listing has its own colours and motif; its second and third photos turn the
 * gradient and change the motif, so no two pictures are alike. Pure: same input, same pixels.
 */
export type Rgb = readonly [number, number, number]
export const motifs = ['disc', 'rings', 'stripes', 'diamond', 'dots', 'waves'] as const
export type Motif = (typeof motifs)[number]
export type PictureSpec = { initials: string; from: Rgb; to: Rgb; motif: Motif }

export const PICTURE_WIDTH = 480
export const PICTURE_HEIGHT = 360

/** 5×7 glyphs, one row of five bits per number, the top row first. */
const FONT: Record<string, number[]> = {
  A: [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  B: [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
  D: [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  G: [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
  H: [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  J: [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
  K: [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
  L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  Q: [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  U: [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  V: [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
  W: [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
  X: [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
  Y: [0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04],
  Z: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
}

/** The letters and digits of `text` the font has, upper-cased, at most three. */
export const initialsOf = (text: string): string =>
  [...text.toUpperCase()].filter((ch) => FONT[ch]).slice(0, 3).join('')

class Canvas {
  readonly rgb: Uint8Array
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgb = new Uint8Array(width * height * 3)
  }

  /** Blends `color` over the pixel at (x, y) with opacity `alpha` (0–1). */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return
    const at = (y * this.width + x) * 3
    for (let i = 0; i < 3; i++) this.rgb[at + i] = Math.round((this.rgb[at + i] ?? 0) * (1 - alpha) + color[i]! * alpha)
  }

  each(paint: (x: number, y: number) => void): void {
    for (let y = 0; y < this.height; y++) for (let x = 0; x < this.width; x++) paint(x, y)
  }
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
const WHITE: Rgb = [255, 255, 255]
const INK: Rgb = [24, 24, 32]

/** Photo `index` (0, 1, 2) of a listing. */
export function drawPicture(spec: PictureSpec, index = 0, width = PICTURE_WIDTH, height = PICTURE_HEIGHT): RgbImage {
  const c = new Canvas(width, height)
  // The gradient: left to right, top to bottom, or along the diagonal, one per photo.
  const angle = [0.35, Math.PI / 2, -0.6][index % 3] ?? 0
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)]
  const span = Math.abs(dx) * width + Math.abs(dy) * height
  const offset = Math.min(0, dx * width) + Math.min(0, dy * height)
  c.each((x, y) => c.blend(x, y, mix(spec.from, spec.to, (x * dx + y * dy - offset) / span), 1))

  const motif = motifs[(motifs.indexOf(spec.motif) + index * 2) % motifs.length] ?? 'disc'
  const [cx, cy, r] = [width / 2, height / 2, Math.min(width, height) * 0.42]
  c.each((x, y) => {
    const [px, py] = [x - cx, y - cy]
    const d = Math.hypot(px, py)
    const on =
      motif === 'disc' ? d < r :
      motif === 'rings' ? d < r * 1.2 && Math.floor(d / 18) % 2 === 0 :
      motif === 'stripes' ? Math.floor((x + y) / 28) % 2 === 0 :
      motif === 'diamond' ? Math.abs(px) / width + Math.abs(py) / height < 0.4 :
      motif === 'dots' ? Math.hypot((x % 48) - 24, (y % 48) - 24) < 9 :
      Math.abs(py - Math.sin(px / 40) * 40) < 36
    if (on) c.blend(x, y, WHITE, 0.22)
  })

  // The initials, white on a dark plate, as large as fit.
  const text = spec.initials || '?'
  const glyphs = [...text].map((ch) => FONT[ch] ?? FONT['0']!)
  const scale = Math.max(2, Math.floor(Math.min((width * 0.6) / (glyphs.length * 6 - 1), (height * 0.4) / 7)))
  const [tw, th] = [(glyphs.length * 6 - 1) * scale, 7 * scale]
  const [tx, ty] = [Math.round((width - tw) / 2), Math.round((height - th) / 2)]
  const pad = scale * 2
  for (let y = ty - pad; y < ty + th + pad; y++) for (let x = tx - pad; x < tx + tw + pad; x++) c.blend(x, y, INK, 0.55)
  glyphs.forEach((rows, g) => {
    rows.forEach((bits, row) => {
      for (let col = 0; col < 5; col++) {
        if (!((bits >> (4 - col)) & 1)) continue
        for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) c.blend(tx + (g * 6 + col) * scale + sx, ty + row * scale + sy, WHITE, 1)
      }
    })
  })
  return { width, height, rgb: c.rgb }
}
