import { pathToFileURL } from 'node:url'
import { startLocalSouk } from '../scripts/local-worker.ts'
import { adjectives, catalogue, categories, materials, seedSearchListings } from '../scripts/seed-search.ts'
import { closedLoop, type Sample } from './load.ts'
import { fmt, summarize, type Summary } from './stats.ts'

/**
 * Scenario (i): search over a large read model. A Souk of its own (fresh state, as `npm start`
 * makes it) is seeded with BENCH_SEARCH_LISTINGS synthetic listings (scripts/seed-search.ts,
 * straight into local D1 before the worker starts), then searched over HTTP from this process:
 * each request a text query with a filter and a sort, the mix cycling through every sort and
 * words from common to rare, at BENCH_SEARCH_CONCURRENCY for BENCH_SECONDS. Facets with the same
 * filters are timed after it, and page 10 of a deep walk.
 *
 *   npx tsx bench/search.ts       (or BENCH_ONLY=i npm run bench)
 */
const listingCount = Number(process.env.BENCH_SEARCH_LISTINGS ?? 100_000)
const concurrency = Number(process.env.BENCH_SEARCH_CONCURRENCY ?? 1)
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const TARGET_P99_MS = 30

export type SearchRow = { scenario: string; rate: string; latency: Summary; note: string }

const sorts = ['newest', 'ending_soon', 'price_asc', 'price_desc'] as const

/**
 * Text, filter and sort, in every combination of a few of each: a category's own word in that
 * category, common words (in a sixth of all listings) under a price cap or a format, and a word
 * with a category it is rare in.
 */
export function searchQueries(): string[] {
  const words = [
    ...categories.slice(0, 8).map((category) => ({ q: catalogue[category]?.[0] ?? 'item', filter: `category=${category}` })),
    { q: adjectives[0] ?? 'vintage', filter: 'maxPrice=5000' },
    { q: materials[0] ?? 'brass', filter: 'format=auction' },
    { q: materials[1] ?? 'oak', filter: 'currency=EUR' },
    { q: `${adjectives[2] ?? 'handmade'} ${materials[0] ?? 'brass'}`, filter: 'minPrice=1000&maxPrice=20000' },
    { q: 'camera', filter: 'category=cycling' },
    { q: 'lamp', filter: 'category=lighting&maxPrice=10000' },
  ]
  return words.flatMap(({ q, filter }) => sorts.map((sort) => `q=${encodeURIComponent(q)}&${filter}&sort=${sort}`))
}

export async function searchScenario(progress: (line: string) => void): Promise<SearchRow[]> {
  progress(`(i) seeding ${listingCount.toLocaleString('en-US')} listings into a fresh Souk…`)
  let seed = { rows: 0, ms: 0 }
  const souk = await startLocalSouk({ LOG_LEVEL: 'error' }, async (persist) => {
    seed = await seedSearchListings(persist, listingCount)
  })
  try {
    progress(`(i) seeded in ${(seed.ms / 1000).toFixed(1)} s; searching for ${seconds}s at concurrency ${concurrency}…`)
    const queries = searchQueries()
    const counts = new Map<string, number>()
    const byQuery = new Map<string, number[]>()
    const search = (path: string) => async (i: number) => {
      const query = queries[i % queries.length] ?? ''
      const t0 = performance.now()
      const res = await fetch(`${souk.url}${path}?${query}`)
      const body = (await res.json()) as { data?: unknown[]; total?: number }
      if (path === '/v1/listings') byQuery.set(query, [...(byQuery.get(query) ?? []), performance.now() - t0])
      if (res.status === 200) counts.set(query, body.data?.length ?? body.total ?? 0)
      return res.status
    }
    await closedLoop(2000, concurrency, search('/v1/listings')) // warm-up: the first reads of each page of the file
    byQuery.clear()
    const run = await closedLoop(seconds * 1000, concurrency, search('/v1/listings'))
    // The query slowest at its median: a slow query shows here, a busy machine only in the p99.
    const [slowest, slowestMs] = [...byQuery].map(([q, ms]) => [q, summarize(ms).p50] as const).sort((a, b) => b[1] - a[1])[0] ?? ['', 0]
    const facets = await closedLoop(Math.max(2000, (seconds * 1000) / 4), concurrency, search('/v1/listings/facets'))
    const deep = await deepPage(souk.url, 10)
    const latency = summarize(run.samples.map((s) => s.ms))
    const empty = queries.filter((q) => counts.get(q) === 0).length
    return [
      {
        scenario: '(i) search, 100k listings',
        rate: `${(run.samples.length / (run.elapsedMs / 1000)).toFixed(0)} req/s`,
        latency,
        note:
          `${listingCount.toLocaleString('en-US')} listings seeded in ${(seed.ms / 1000).toFixed(1)} s; concurrency ${concurrency}; ${queries.length} queries (text + filter + sort, every sort), ` +
          `${empty} of them empty; ${answers(run.samples)}; slowest at its median: ${decodeURIComponent(slowest)} (${fmt(slowestMs)} ms); ` +
          `p99 ${latency.p99 <= TARGET_P99_MS ? 'meets' : 'misses'} the ${TARGET_P99_MS} ms target`,
      },
      {
        scenario: '(i) facets, same filters',
        rate: `${(facets.samples.length / (facets.elapsedMs / 1000)).toFixed(0)} req/s`,
        latency: summarize(facets.samples.map((s) => s.ms)),
        note: `${answers(facets.samples)}; counts per category and format over every match`,
      },
      {
        scenario: '(i) pages 1–10, no words',
        rate: `${deep.pages} pages`,
        latency: summarize(deep.samples),
        note: 'newest and price_asc over all active listings, 20 a page, each page from the last one’s cursor',
      },
    ]
  } finally {
    await souk.stop()
  }
}

/** Walks `pages` pages of two broad searches, timing each page (a cursor is a seek, not an offset). */
async function deepPage(base: string, pages: number): Promise<{ samples: number[]; pages: number }> {
  const samples: number[] = []
  for (const sort of ['newest', 'price_asc']) {
    let cursor: string | null = null
    for (let page = 0; page < pages; page++) {
      const t0 = performance.now()
      const res = await fetch(`${base}/v1/listings?sort=${sort}&limit=20${cursor ? `&cursor=${cursor}` : ''}`)
      const body = (await res.json()) as { nextCursor: string | null }
      samples.push(performance.now() - t0)
      cursor = body.nextCursor
      if (!cursor) break
    }
  }
  return { samples, pages: samples.length }
}

const answers = (samples: Sample[]) => {
  const by = new Map<number, number>()
  for (const s of samples) by.set(s.status, (by.get(s.status) ?? 0) + 1)
  return [...by].map(([status, n]) => `${n} × ${status}`).join(', ')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now()
  const rows = await searchScenario((line) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`))
  console.log('\n| scenario | rate | p50 ms | p90 ms | p99 ms | max ms | notes |\n| --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) console.log(`| ${r.scenario} | ${r.rate} | ${fmt(r.latency.p50)} | ${fmt(r.latency.p90)} | ${fmt(r.latency.p99)} | ${fmt(r.latency.max)} | ${r.note} |`)
}
