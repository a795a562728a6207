/**
 * The photos a /sell form sent: each non-empty file of the `photos` field, at most `MAX_PHOTOS`.
 * A browser sends an empty, nameless part when nothing was chosen; that is no photo. Whether a
 * file is really an image, and small enough, is for `POST /v1/listings/{id}/images` to judge from
 * its bytes.
 */
export const MAX_PHOTOS = 8

export type PhotoPart = { name: string; size: number; type: string }

export function photosOf<T extends PhotoPart>(value: unknown, isFile: (v: unknown) => v is T): { ok: true; photos: T[] } | { ok: false; error: string } {
  const values = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value]
  const photos = values.filter(isFile).filter((f) => f.size > 0)
  if (photos.length > MAX_PHOTOS) return { ok: false, error: `Photos: at most ${MAX_PHOTOS} per listing` }
  return { ok: true, photos }
}
