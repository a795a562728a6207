import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../../src/db/client'
import { listingUpsert, projectListing } from '../../../src/listings/listing-read-store'
import type { ListingView } from '../../../src/listings/listing-view'
import { FEW_MATCHES } from '../../../src/listings/search-plan'
import { call, json, register, type Json } from '../support/api'
import { newListingId, SELLER, userId } from './fixtures'

/**
 * Search's sorts, cursors and facets over the read model. Rows are written straight into it (as
 * the projection would), each test in a category of its own, so no other test's listings show.
 */
type Page = { data: ListingView[]; nextCursor: string | null }
type Facets = { total: number; category: { value: string; count: number }[]; format: { value: string; count: number }[] }

const freshCategory = () => `t${crypto.randomUUID().slice(0, 8)}`
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString()

type Listed = { price: number; endsAt?: string; title?: string; status?: ListingView['status']; currency?: 'USD' | 'EUR'; sellerId?: string }

function viewOf(category: string, over: Listed): ListingView {
  const at = new Date().toISOString()
  const currency = over.currency ?? 'USD'
  const common = { id: newListingId(), sellerId: over.sellerId ?? SELLER, title: over.title ?? 'Stoneware jug', description: 'Speckled glaze', category, status: over.status ?? 'active', version: 1, currency, acceptsOffers: false, images: [] as ListingView['images'], createdAt: at, updatedAt: at } as const
  return over.endsAt
    ? { ...common, format: 'auction', currentPrice: { amount: over.price, currency }, bidCount: 0, endsAt: over.endsAt }
    : { ...common, format: 'fixed_price', price: { amount: over.price, currency }, quantity: 1, available: 1 }
}

async function listed(category: string, over: Listed): Promise<ListingView> {
  const view = viewOf(category, over)
  await projectListing(database(env.DB), view, 1)
  return view
}

/** Every page of a search, following nextCursor, with the page size `limit`. */
async function allPages(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await call(`/v1/listings?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status, await res.clone().text()).toBe(200)
    const page = await json<Page>(res)
    expect(page.data.length).toBeLessThanOrEqual(limit)
    ids.push(...page.data.map((v) => v.id))
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 50)
  return { ids, pages }
}

const priceOf = (v: ListingView) => (v.price ?? v.currentPrice)?.amount ?? 0
const byId = (a: ListingView, b: ListingView) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

describe('search sorts', () => {
  /** Seven listings with two price ties, three auctions ending at different times, one auction already over. */
  async function shelf() {
    const category = freshCategory()
    const views = [
      await listed(category, { price: 500 }),
      await listed(category, { price: 900 }),
      await listed(category, { price: 500 }),
      await listed(category, { price: 700, endsAt: inHours(30) }),
      await listed(category, { price: 900, endsAt: inHours(2) }),
      await listed(category, { price: 100, endsAt: inHours(10) }),
      await listed(category, { price: 300 }),
    ]
    await listed(category, { price: 50, endsAt: new Date(Date.now() - 60_000).toISOString() }) // over: not active, whatever its row says
    return { category, views }
  }

  it('pages every sort in its order, ties by id, across pages of every size, each listing once', async () => {
    const { category, views } = await shelf()
    const expected: Record<string, string[]> = {
      newest: [...views].sort(byId).reverse().map((v) => v.id),
      price_asc: [...views].sort((a, b) => priceOf(a) - priceOf(b) || byId(a, b)).map((v) => v.id),
      price_desc: [...views].sort((a, b) => priceOf(b) - priceOf(a) || byId(b, a)).map((v) => v.id),
      ending_soon: views.filter((v) => v.endsAt).sort((a, b) => (a.endsAt ?? '').localeCompare(b.endsAt ?? '') || byId(a, b)).map((v) => v.id),
    }
    for (const [sort, ids] of Object.entries(expected)) {
      for (const limit of [1, 2, 3, 100]) {
        const got = await allPages(`category=${category}&sort=${sort}`, limit)
        expect(got.ids, `${sort}, ${limit} a page`).toEqual(ids)
        expect(got.pages, `${sort}, ${limit} a page`).toBe(Math.max(1, Math.ceil(ids.length / limit)))
      }
    }
    // Without sort: newest first, as before sorts existed.
    expect((await allPages(`category=${category}`, 3)).ids).toEqual(expected.newest)
  })

  it('leaves listings that never end out of ending_soon, whatever the other filters', async () => {
    const { category, views } = await shelf()
    const page = await json<Page>(await call(`/v1/listings?category=${category}&sort=ending_soon&limit=100`))
    expect(page.data.map((v) => v.id).sort()).toEqual(views.filter((v) => v.format === 'auction').map((v) => v.id).sort())
    expect(await json<Page>(await call(`/v1/listings?category=${category}&sort=ending_soon&format=fixed_price`))).toEqual({ data: [], nextCursor: null })
    expect((await json<Page>(await call(`/v1/listings?category=${category}&sort=newest&format=fixed_price`))).data).toHaveLength(4)
  })

  it('sorts with words and filters together', async () => {
    const category = freshCategory()
    const word = `zs${crypto.randomUUID().slice(0, 6)}`
    const cheap = await listed(category, { price: 1200, title: `Brass ${word} lamp` })
    const dear = await listed(category, { price: 5400, title: `Oak ${word} lamp` })
    await listed(category, { price: 3000, title: 'Brass lamp, no word' })
    await listed(category, { price: 9000, title: `Steel ${word} lamp` })
    const ids = async (query: string) => (await json<Page>(await call(`/v1/listings?${query}`))).data.map((v) => v.id)
    expect(await ids(`q=${word}&category=${category}&maxPrice=6000&sort=price_desc`)).toEqual([dear.id, cheap.id])
    expect(await ids(`q=${word}&category=${category}&maxPrice=6000&sort=price_asc`)).toEqual([cheap.id, dear.id])
    expect(await ids(`q=${word}&category=${category}&minPrice=5400&maxPrice=5400&sort=price_asc`)).toEqual([dear.id])
  })
})

describe('search and facets over a word that many listings share', () => {
  it('page and count as they do for a rare word, whichever way the read model is read', async () => {
    // More matches than FEW_MATCHES, so pages walk the sort's index (or the seller's listings) instead of the matches.
    const word = `zm${crypto.randomUUID().slice(0, 6)}`
    const category = freshCategory()
    const elsewhere = freshCategory()
    const seller = userId(`s${crypto.randomUUID().slice(0, 8)}`)
    const views = Array.from({ length: FEW_MATCHES + 100 }, (_, i) =>
      viewOf(i % 30 === 0 ? category : elsewhere, {
        title: `Lamp ${word}`,
        price: 100 + (i % 17) * 50, // ties in price
        ...(i % 3 === 0 ? { endsAt: inHours(1 + (i % 11)) } : {}), // ties in end
        ...(i % 60 === 0 ? { sellerId: seller } : {}),
      }),
    )
    const db = database(env.DB)
    for (let i = 0; i < views.length; i += 200) {
      const [first, ...rest] = views.slice(i, i + 200).map((v) => listingUpsert(db, v, 1, 'newer'))
      if (first) await db.batch([first, ...rest])
    }
    const mine = views.filter((v) => v.category === category)
    const expected: Record<string, string[]> = {
      newest: [...mine].sort(byId).reverse().map((v) => v.id),
      price_asc: [...mine].sort((a, b) => priceOf(a) - priceOf(b) || byId(a, b)).map((v) => v.id),
      price_desc: [...mine].sort((a, b) => priceOf(b) - priceOf(a) || byId(b, a)).map((v) => v.id),
      ending_soon: mine.filter((v) => v.endsAt).sort((a, b) => (a.endsAt ?? '').localeCompare(b.endsAt ?? '') || byId(a, b)).map((v) => v.id),
    }
    for (const [sort, ids] of Object.entries(expected)) {
      expect((await allPages(`q=${word}&category=${category}&sort=${sort}`, 7)).ids, sort).toEqual(ids)
    }
    const sellers = views.filter((v) => v.sellerId === seller).sort((a, b) => priceOf(b) - priceOf(a) || byId(b, a))
    expect((await allPages(`q=${word}&sellerId=${seller}&sort=price_desc`, 4)).ids).toEqual(sellers.map((v) => v.id))

    const facets = await json<Facets>(await call(`/v1/listings/facets?q=${word}`))
    expect(facets.total).toBe(views.length)
    expect(facets.category).toEqual([
      { value: elsewhere, count: views.length - mine.length },
      { value: category, count: mine.length },
    ])
    const auctions = views.filter((v) => v.format === 'auction').length
    expect(facets.format).toEqual([
      { value: 'fixed_price', count: views.length - auctions },
      { value: 'auction', count: auctions },
    ])
    expect((await json<Facets>(await call(`/v1/listings/facets?q=${word}&sellerId=${seller}`))).total).toBe(sellers.length)
  })
})

describe('search input', () => {
  it.each([
    ['an unknown sort', 'sort=bogus', 'sort'],
    ['a sort in capitals', 'sort=NEWEST', 'sort'],
    ['a cursor that is not one', 'cursor=not-a-cursor', 'cursor'],
    ['a cursor of the other lists', `cursor=${btoa(JSON.stringify({ a: 'lst_01jd3v6w2k8m4n5p6q7r8s9t0v' })).replace(/=+$/, '')}`, 'cursor'],
    ['a price range upside down', 'minPrice=500&maxPrice=100', 'minPrice'],
    ['a negative price', 'minPrice=-1', 'minPrice'],
    ['a price that is no number', 'maxPrice=cheap', 'maxPrice'],
    ['a fractional price', 'maxPrice=12.5', 'maxPrice'],
    ['a price past the maximum', 'maxPrice=1000000000000', 'maxPrice'],
    ['a page of none', 'limit=0', 'limit'],
    ['a page too big', 'limit=101', 'limit'],
    ['an unknown format', 'format=barter', 'format'],
    ['an unknown status', 'status=sold', 'status'],
  ])('answers 400 validation_failed for %s', async (_, query, field) => {
    const res = await call(`/v1/listings?${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const problem = await json<Json & { errors: { in: string; path: string }[] }>(res)
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(problem.errors).toContainEqual(expect.objectContaining({ in: 'query', path: field }))
  })

  it('refuses a cursor given to another sort than the one that issued it', async () => {
    const category = freshCategory()
    await listed(category, { price: 100 })
    await listed(category, { price: 200 })
    const first = await json<Page>(await call(`/v1/listings?category=${category}&sort=price_asc&limit=1`))
    expect(first.nextCursor).not.toBeNull()
    for (const sort of ['newest', 'price_desc', 'ending_soon', '']) {
      const res = await call(`/v1/listings?category=${category}${sort ? `&sort=${sort}` : ''}&limit=1&cursor=${first.nextCursor}`)
      expect(res.status, sort).toBe(400)
      expect((await json<{ errors: { path: string; message: string }[] }>(res)).errors).toEqual([expect.objectContaining({ path: 'cursor', message: expect.stringContaining('sort=price_asc') })])
    }
    expect((await call(`/v1/listings?category=${category}&sort=price_asc&limit=1&cursor=${first.nextCursor}`)).status).toBe(200)
  })
})

describe('facets', () => {
  it('count per category and per format exactly what search finds, for the same filters', async () => {
    const category = freshCategory()
    const word = `zf${crypto.randomUUID().slice(0, 6)}`
    const other = freshCategory()
    await listed(category, { price: 1000, title: `Jug ${word}` })
    await listed(category, { price: 2000, title: `Jug ${word}`, endsAt: inHours(5) })
    await listed(category, { price: 3000, title: `Bowl ${word}`, endsAt: inHours(6) })
    await listed(category, { price: 4000, title: 'Bowl' })
    await listed(other, { price: 1500, title: `Cup ${word}` })
    await listed(other, { price: 9000, title: `Cup ${word}`, status: 'withdrawn' })
    await listed(other, { price: 1500, title: `Cup ${word}`, currency: 'EUR' })
    for (const filters of [`q=${word}`, `category=${category}`, `q=${word}&maxPrice=2500`, `q=${word}&format=auction`, `q=${word}&currency=EUR`, `q=${word}&status=withdrawn`, `q=${word}&minPrice=9999`]) {
      const res = await call(`/v1/listings/facets?${filters}`)
      expect(res.status, filters).toBe(200)
      const facets = await json<Facets>(res)
      const found = await json<Page>(await call(`/v1/listings?${filters}&limit=100`))
      const tally = (key: (v: ListingView) => string) =>
        [...found.data.reduce((m, v) => m.set(key(v), (m.get(key(v)) ?? 0) + 1), new Map<string, number>())].map(([value, count]) => ({ value, count }))
      expect(facets.total, filters).toBe(found.data.length)
      expect(new Set(facets.category), filters).toEqual(new Set(tally((v) => v.category)))
      expect(new Set(facets.format), filters).toEqual(new Set(tally((v) => v.format)))
    }
    expect(await json<Facets>(await call(`/v1/listings/facets?q=${word}`))).toEqual({
      total: 5,
      category: [
        { value: category, count: 3 },
        { value: other, count: 2 },
      ],
      format: [
        { value: 'auction', count: 2 },
        { value: 'fixed_price', count: 3 },
      ].sort((a, b) => b.count - a.count),
    })
  })

  it('are not taken for a listing id, and refuse bad filters with 400', async () => {
    expect((await call('/v1/listings/facets')).status).toBe(200)
    for (const query of ['minPrice=9&maxPrice=1', 'format=barter', 'status=sold', 'minPrice=-5', 'category=Not%20A%20Slug', `q=${'x'.repeat(201)}`]) {
      const res = await call(`/v1/listings/facets?${query}`)
      expect(res.status, query).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'validation_failed' })
    }
  })
})

describe('caching of public reads', () => {
  it('answers a search again with 304 while nothing changed, and 200 with a new tag once it did', async () => {
    const category = freshCategory()
    await listed(category, { price: 700 })
    await listed(category, { price: 600 })
    const first = await call(`/v1/listings?category=${category}&sort=price_asc`)
    const tag = first.headers.get('etag') ?? ''
    expect(tag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/)
    expect(first.headers.get('cache-control')).toBe('public, max-age=5')
    expect(first.headers.get('vary')).toMatch(/Authorization/)

    const again = await call(`/v1/listings?category=${category}&sort=price_asc`, { headers: { 'if-none-match': tag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(tag)
    expect(again.headers.get('cache-control')).toBe('public, max-age=5')
    // Another order of the same rows is another answer.
    expect((await call(`/v1/listings?category=${category}&sort=price_desc`, { headers: { 'if-none-match': tag } })).status).toBe(200)

    await listed(category, { price: 800 })
    const changed = await call(`/v1/listings?category=${category}&sort=price_asc`, { headers: { 'if-none-match': tag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(tag)
    expect((await json<Page>(changed)).data).toHaveLength(3)
  })

  it('answers facets again with 304 while the counts stand', async () => {
    const category = freshCategory()
    await listed(category, { price: 700 })
    const first = await call(`/v1/listings/facets?category=${category}`)
    const tag = first.headers.get('etag') ?? ''
    expect(tag).toMatch(/^W\//)
    const again = await call(`/v1/listings/facets?category=${category}`, { headers: { 'if-none-match': `"other", ${tag}` } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    await listed(category, { price: 900, endsAt: inHours(3) })
    expect((await call(`/v1/listings/facets?category=${category}`, { headers: { 'if-none-match': tag } })).status).toBe(200)
  })

  it('keeps a signed-in caller’s search private and revalidated', async () => {
    const { token } = await register('searcher')
    const res = await call(`/v1/listings?category=${freshCategory()}`, { token })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    const facets = await call('/v1/listings/facets', { token })
    expect(facets.headers.get('cache-control')).toBe('private, no-cache')
  })

  it('revalidates a listing by its version: 304 while it stands, 200 once it changed', async () => {
    const seller = await register('cached-seller')
    const created = await call('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Oak stool', category: 'furniture', format: 'fixed_price', price: { amount: 8000, currency: 'USD' } } })
    const { id } = await json<{ id: string }>(created)
    const read = await call(`/v1/listings/${id}`)
    expect(read.headers.get('etag')).toBe('"1"')
    expect(read.headers.get('cache-control')).toBe('public, no-cache')
    for (const tag of ['"1"', 'W/"1"', '"0", "1"', '*']) {
      const again = await call(`/v1/listings/${id}`, { headers: { 'if-none-match': tag } })
      expect(again.status, tag).toBe(304)
      expect(await again.text()).toBe('')
      expect(again.headers.get('etag')).toBe('"1"')
    }
    expect((await call(`/v1/listings/${id}`, { headers: { 'if-none-match': '"2"' } })).status).toBe(200)

    const edited = await call(`/v1/listings/${id}`, { method: 'PATCH', token: seller.token, headers: { 'if-match': '"1"' }, json: { title: 'Oak stool, oiled' } })
    expect(edited.status).toBe(200)
    const after = await call(`/v1/listings/${id}`, { headers: { 'if-none-match': '"1"' } })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).toBe('"2"')
    expect(await json(after)).toMatchObject({ title: 'Oak stool, oiled', version: 2 })
    expect((await call(`/v1/listings/${id}`, { headers: { 'if-none-match': '"2"' } })).status).toBe(304)
    // A 404 is not a cacheable read.
    const missing = await call(`/v1/listings/${newListingId()}`, { headers: { 'if-none-match': '*' } })
    expect(missing.status).toBe(404)
  })
})

describe('the OpenAPI document', () => {
  it('declares the sort parameter and the facets route', async () => {
    type Op = { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[]; responses: Record<string, unknown> }
    const doc = await json<{ paths: Record<string, Record<string, Op>> }>(await call('/v1/openapi.json'))
    const search = doc.paths['/v1/listings']?.get
    expect(search?.parameters?.find((p) => p.name === 'sort')).toMatchObject({ in: 'query', schema: { enum: ['newest', 'ending_soon', 'price_asc', 'price_desc'] } })
    expect(Object.keys(search?.responses ?? {})).toEqual(expect.arrayContaining(['200', '304', '400']))
    const facets = doc.paths['/v1/listings/facets']?.get
    expect(facets?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'category', 'format', 'minPrice', 'maxPrice', 'sellerId', 'status']))
    expect(Object.keys(facets?.responses ?? {})).toEqual(expect.arrayContaining(['200', '304', '400']))
    expect(Object.keys(doc.paths['/v1/listings/{id}']?.get?.responses ?? {})).toContain('304')
  })
})
