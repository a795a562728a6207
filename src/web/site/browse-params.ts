import { parseAmount } from './money-input'

/**
 * The front page's address: what a person searched for and how they filter and sort, as query
 * parameters a link can carry. Prices are typed as decimals (`min=10&max=25.50`); the API takes
 * minor units. Pure: links in, links and API queries out.
 */
export const browseSorts = [
  { value: 'newest', label: 'Newest first' },
  { value: 'ending_soon', label: 'Ending soonest (auctions)' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
] as const
export type BrowseSort = (typeof browseSorts)[number]['value']

export const browseFormats = [
  { value: 'fixed_price', label: 'Buy It Now' },
  { value: 'auction', label: 'Auction' },
] as const
export type BrowseFormat = (typeof browseFormats)[number]['value']

export type BrowseParams = { q?: string; category?: string; format?: BrowseFormat; min?: string; max?: string; sort: BrowseSort; cursor?: string }

const keys = ['q', 'category', 'format', 'min', 'max', 'sort', 'cursor'] as const

const clean = (v: unknown, max: number): string | undefined => {
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return t === '' ? undefined : t.slice(0, max)
}

/** The page's query → its parameters: empty ones dropped, an unknown sort or format ignored. */
export function browseParamsOf(query: Record<string, string | undefined>): BrowseParams {
  const sort = browseSorts.find((s) => s.value === query.sort)?.value ?? 'newest'
  const format = browseFormats.find((f) => f.value === query.format)?.value
  return {
    q: clean(query.q, 200),
    category: clean(query.category, 40)?.toLowerCase(),
    format,
    min: clean(query.min, 20),
    max: clean(query.max, 20),
    sort,
    cursor: clean(query.cursor, 512),
  }
}

/** The front page's link for `params` with `change` applied; a change starts again at the first page unless it names a cursor. */
export function browseHref(params: BrowseParams, change: Partial<BrowseParams> = {}): string {
  const next: Partial<BrowseParams> = { ...params, cursor: undefined, ...change }
  const query = new URLSearchParams()
  for (const key of keys) {
    const value = next[key]
    if (value === undefined || value === '' || (key === 'sort' && value === 'newest')) continue
    query.set(key, value)
  }
  const text = query.toString()
  return text === '' ? '/' : `/?${text}`
}

/** A facet's link: choosing the value it shows, or, when it is already chosen, letting it go. */
export function facetHref(params: BrowseParams, facet: 'category' | 'format', value: string): { href: string; current: boolean } {
  const current = params[facet] === value
  return { href: browseHref(params, { [facet]: current ? undefined : value }), current }
}

export type SearchApiQuery = { q?: string; category?: string; format?: string; minPrice?: number; maxPrice?: number; sort: BrowseSort; cursor?: string; limit: number }

/** The API's query for the page (`GET /v1/listings`, and its facets without sort and cursor), or what is wrong with a typed price. */
export function searchQueryOf(params: BrowseParams, limit = 24): { ok: true; query: SearchApiQuery } | { ok: false; error: string } {
  const price = (text: string | undefined, label: string) => (text === undefined ? ({ ok: true, amount: undefined } as const) : parseAmount(text, label))
  const min = price(params.min, 'Lowest price')
  if (!min.ok) return min
  const max = price(params.max, 'Highest price')
  if (!max.ok) return max
  if (min.amount !== undefined && max.amount !== undefined && min.amount > max.amount) return { ok: false, error: 'Lowest price: must not be more than the highest price' }
  return { ok: true, query: { q: params.q, category: params.category, format: params.format, minPrice: min.amount, maxPrice: max.amount, sort: params.sort, cursor: params.cursor, limit } }
}
