import { fromBase64, toBase64Url, utf8 } from './bytes'

/**
 * Opaque pagination cursors. A cursor names the last item of a page (its sort key); clients
 * must treat it as a blob, so the encoding can change without breaking them.
 */
export function encodeCursor(after: string): string {
  return toBase64Url(utf8(JSON.stringify({ a: after })))
}

export function decodeCursor(cursor: string): string | undefined {
  const bytes = fromBase64(cursor)
  if (!bytes) return undefined
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
    if (typeof value === 'object' && value !== null && 'a' in value && typeof value.a === 'string') return value.a
    return undefined
  } catch {
    return undefined // not JSON: the caller answers 400 for an invalid cursor
  }
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one. */
export function page<T>(rows: T[], limit: number, key: (row: T) => string): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit)
  const last = data.at(-1)
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null }
}
