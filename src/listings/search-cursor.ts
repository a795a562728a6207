import { fromBase64, toBase64Url, utf8 } from '../core/bytes'
import { isId } from '../core/ids'
import { MAX_AMOUNT } from '../core/money'
import type { ListingView } from './listing-view'
import { positionOf, searchSorts, type SearchPosition, type SearchRow, type SearchSort } from './search-sort'

/**
 * Search cursors: the sort they belong to and the last row's key, `{ s, k }` in base64url JSON.
 * Opaque to clients; decoding checks every part, so a cursor that was tampered with, truncated
 * or made for another sort is told apart from a real one before any query runs.
 */
export function encodeSearchCursor(p: SearchPosition): string {
  const key = p.sort === 'newest' ? [p.id] : p.sort === 'ending_soon' ? [p.endsAt, p.id] : [p.price, p.id]
  return toBase64Url(utf8(JSON.stringify({ s: p.sort, k: key })))
}

/** The position a cursor names, or undefined when it is not a search cursor this API issued. */
export function decodeSearchCursor(cursor: string): SearchPosition | undefined {
  const bytes = fromBase64(cursor)
  if (!bytes || bytes.length === 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined // not JSON: not ours
  }
  if (typeof value !== 'object' || value === null || !('s' in value) || !('k' in value)) return undefined
  const { s: sort, k: key } = value
  if (!isSort(sort) || !Array.isArray(key)) return undefined
  const [first, second, ...rest] = key as unknown[]
  if (sort === 'newest') return key.length === 1 && isListingId(first) ? { sort, id: first } : undefined
  if (rest.length > 0 || !isListingId(second)) return undefined
  if (sort === 'ending_soon') return isInstant(first) ? { sort, endsAt: first, id: second } : undefined
  return isAmount(first) ? { sort, price: first, id: second } : undefined
}

/** Splits `limit + 1` rows into a page and the cursor of the next one, which resumes in `sort`. */
export function searchPage(rows: SearchRow[], limit: number, sort: SearchSort): { data: ListingView[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return {
    data: shown.map((r) => r.view),
    nextCursor: rows.length > limit && last !== undefined ? encodeSearchCursor(positionOf(last, sort)) : null,
  }
}

const isSort = (value: unknown): value is SearchSort => typeof value === 'string' && (searchSorts as readonly string[]).includes(value)
const isListingId = (value: unknown): value is string => typeof value === 'string' && isId(value, 'lst')
const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_AMOUNT
/** `endsAt` as the listings store it: what `Date.toISOString()` makes, and nothing else. */
function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false
  const ms = Date.parse(value)
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value // 31 February rolls over, and is refused
}
