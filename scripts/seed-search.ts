import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { getPlatformProxy } from 'wrangler'
import { formatId } from '../src/core/ids.ts'
import { bidIncrement } from '../src/listings/increments.ts'
import type { ListingView } from '../src/listings/listing-view.ts'
import { wrangler } from './local-d1.ts'

/**
 * Synthetic listings for the search bench, written straight into a local D1 read model (the
 * `listings` table; its triggers fill the FTS5 index), through wrangler's local D1 in this Node
 * process, before any worker opens that state. Nothing in the Worker can do it, so production
 * has no such door. The rows have no ListingObject behind them: search and facets find them,
 * `GET /v1/listings/{id}` does not.
 *
 *   npx tsx scripts/seed-search.ts [--count 100000] [--persist-to .wrangler/state]
 *
 * seeds `npm start`'s local state (stop it first), applying the migrations if need be. The
 * corpus is deterministic: the same count gives the same rows, and a second run adds nothing.
 */

/** Each category's things, so words and categories go together as they do on a real marketplace. */
export const catalogue: Record<string, string[]> = {
  home: ['lamp', 'mirror', 'clock', 'vase', 'rug', 'cushion', 'candlestick', 'frame', 'basket', 'blanket'],
  kitchen: ['mug', 'teapot', 'bowl', 'plate', 'jug', 'skillet', 'knife', 'kettle', 'platter', 'cup'],
  furniture: ['chair', 'stool', 'table', 'desk', 'dresser', 'bench', 'bookcase', 'cabinet', 'sideboard', 'armchair'],
  lighting: ['lamp', 'pendant', 'chandelier', 'sconce', 'lantern', 'bulb', 'shade'],
  photography: ['camera', 'lens', 'tripod', 'flash', 'rangefinder', 'enlarger', 'viewfinder'],
  watches: ['watch', 'chronograph', 'strap', 'bracelet', 'movement', 'dial'],
  jewelry: ['ring', 'necklace', 'brooch', 'earrings', 'pendant', 'bracelet', 'locket', 'cufflinks'],
  clothing: ['jacket', 'coat', 'dress', 'shirt', 'sweater', 'scarf', 'jeans', 'hat', 'blazer'],
  shoes: ['boots', 'sneakers', 'loafers', 'sandals', 'heels', 'brogues'],
  books: ['novel', 'atlas', 'cookbook', 'dictionary', 'encyclopedia', 'manuscript', 'poetry'],
  vinyl: ['record', 'album', 'single', 'boxset', 'pressing', 'turntable'],
  music: ['guitar', 'violin', 'amplifier', 'keyboard', 'drum', 'trumpet', 'ukulele', 'pedal'],
  toys: ['doll', 'train', 'teddy', 'robot', 'puzzle', 'kite', 'marbles'],
  games: ['chess', 'console', 'cartridge', 'controller', 'boardgame', 'cards'],
  tools: ['hammer', 'saw', 'chisel', 'plane', 'drill', 'wrench', 'toolbox', 'vise'],
  garden: ['planter', 'pot', 'trowel', 'birdbath', 'bench', 'lantern', 'shears'],
  sports: ['racket', 'skis', 'helmet', 'ball', 'bat', 'golf', 'skateboard'],
  cycling: ['bicycle', 'frame', 'saddle', 'wheel', 'helmet', 'derailleur'],
  art: ['painting', 'print', 'etching', 'sculpture', 'poster', 'lithograph', 'watercolour'],
  electronics: ['radio', 'speaker', 'headphones', 'receiver', 'amplifier', 'television'],
  computers: ['laptop', 'monitor', 'keyboard', 'mouse', 'motherboard', 'calculator'],
  phones: ['phone', 'handset', 'charger', 'case', 'smartphone'],
  collectibles: ['coin', 'stamp', 'badge', 'figurine', 'medal', 'postcard', 'tin'],
  crafts: ['yarn', 'fabric', 'beads', 'loom', 'quilt', 'embroidery', 'needles'],
}

export const adjectives = [
  'vintage', 'antique', 'handmade', 'rare', 'classic', 'retro', 'modern', 'signed', 'original', 'restored', 'large', 'small',
  'limited', 'unused', 'boxed', 'working', 'french', 'italian', 'japanese', 'danish', 'english', 'victorian', 'edwardian', 'art',
  'deco', 'nouveau', 'rustic', 'industrial', 'minimalist', 'ornate', 'carved', 'painted', 'folding', 'portable', 'compact', 'heavy',
]
export const materials = [
  'brass', 'oak', 'walnut', 'teak', 'pine', 'leather', 'silver', 'gold', 'ceramic', 'glass', 'cotton', 'wool', 'linen', 'steel',
  'copper', 'stoneware', 'porcelain', 'iron', 'bamboo', 'wicker', 'marble', 'enamel', 'pewter', 'cashmere', 'velvet', 'chrome',
]
const colours = ['red', 'blue', 'green', 'black', 'white', 'cream', 'yellow', 'orange', 'grey', 'navy', 'olive', 'mustard', 'pink', 'teal']
const eras = ['1920s', '1930s', '1950s', '1960s', '1970s', '1980s', '1990s', 'midcentury', 'georgian', 'regency']
const conditions = ['excellent', 'good', 'fair', 'mint', 'used', 'pristine', 'worn', 'restored']
const fillers = [
  'with', 'original', 'box', 'and', 'papers', 'minor', 'wear', 'light', 'patina', 'fully', 'serviced', 'cleaned', 'tested',
  'ships', 'insured', 'from', 'a', 'smoke', 'free', 'home', 'collection', 'only', 'pickup', 'available', 'measures', 'about',
  'cm', 'tall', 'wide', 'deep', 'weighs', 'kg', 'some', 'scratches', 'chips', 'no', 'cracks', 'bought', 'in', 'kept', 'storage',
  'family', 'heirloom', 'estate', 'sale', 'find', 'piece', 'set', 'of', 'two', 'pair', 'includes', 'spare', 'parts', 'manual',
]
export const categories = Object.keys(catalogue)

/** mulberry32: a small seeded generator, so the corpus is the same on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A pick where the first items are the most common (Zipf, exponent `s`), as words are. */
function zipf<T>(items: readonly T[], s: number, random: () => number): () => T {
  const weights = items.map((_, i) => 1 / (i + 1) ** s)
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative = weights.map(((sum) => (w: number) => (sum += w / total))(0))
  return () => {
    const r = random()
    const i = cumulative.findIndex((c) => r < c)
    return items[i === -1 ? items.length - 1 : i] as T
  }
}

export type CorpusRow = { view: ListingView; price: number; endsAt: string | null }

/** `count` listings as the read model would hold them, created over the 90 days before `now`. */
export function* searchCorpus(count: number, now: Date, seed = 20261205): Generator<CorpusRow> {
  const random = generator(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const bytes = () => Uint8Array.from({ length: 10 }, () => Math.floor(random() * 256))
  const category = zipf(categories, 0.8, random)
  const adjective = zipf(adjectives, 1, random)
  const material = zipf(materials, 0.9, random)
  const sellers = Array.from({ length: 2000 }, () => formatId('usr', Date.UTC(2026, 0, 1), bytes()))
  const seller = zipf(sellers, 0.7, random)
  for (let n = 0; n < count; n++) {
    const cat = category()
    const thing = zipf(catalogue[cat] ?? ['item'], 0.9, random)()
    const words = [random() < 0.7 ? adjective() : undefined, random() < 0.5 ? pick(eras) : undefined, random() < 0.6 ? material() : pick(colours), thing]
    const title = words.filter((w) => w !== undefined).join(' ')
    const description = [
      `${title} in ${pick(conditions)} condition.`,
      Array.from({ length: 8 + Math.floor(random() * 20) }, () => (random() < 0.03 ? material() : random() < 0.05 ? thing : pick(fillers))).join(' '),
    ].join(' ')
    const created = new Date(now.getTime() - Math.floor(random() * 90 * 86_400_000))
    const auction = random() < 0.35
    const r = random()
    const status = r < 0.85 ? 'active' : r < 0.92 ? 'ended' : r < 0.97 ? 'sold_out' : 'withdrawn'
    const c = random()
    const currency = c < 0.9 ? 'USD' : c < 0.96 ? 'EUR' : 'GBP'
    const price = Math.round(10 ** (2.7 + random() * 3)) // 5.01 to 5,012 in major units, log-uniform
    const base = { id: formatId('lst', created.getTime(), bytes()), sellerId: seller(), title, description, category: cat, version: 1, currency, images: [] as ListingView['images'], createdAt: created.toISOString(), updatedAt: created.toISOString() } as const
    if (auction) {
      const hoursLeft = status === 'active' ? 0.1 + random() * 14 * 24 : -(random() * 30 * 24)
      const endsAt = new Date(now.getTime() + hoursLeft * 3_600_000).toISOString()
      const live = status === 'active' || status === 'withdrawn'
      const view: ListingView = {
        ...base,
        format: 'auction',
        status: status === 'sold_out' ? 'ended' : status,
        acceptsOffers: false,
        currentPrice: { amount: price, currency },
        bidCount: Math.floor(random() * 12),
        ...(live && status === 'active' ? { minimumBid: { amount: price + bidIncrement(price), currency } } : {}),
        endsAt,
      }
      yield { view, price, endsAt }
    } else {
      const quantity = random() < 0.8 ? 1 : 2 + Math.floor(random() * 20)
      const view: ListingView = {
        ...base,
        format: 'fixed_price',
        status: status === 'ended' ? 'active' : status,
        acceptsOffers: random() < 0.3,
        price: { amount: price, currency },
        quantity,
        available: status === 'sold_out' ? 0 : quantity,
      }
      yield { view, price, endsAt: null }
    }
  }
}

const COLUMNS = ['id', 'seller_id', 'title', 'description', 'category', 'format', 'status', 'currency', 'price', 'ends_at', 'last_seq', 'view', 'created_at', 'updated_at']
/** One statement per chunk, its rows in one JSON parameter: binding 14 parameters a row, row by row, took five times longer. */
const INSERT = `INSERT INTO listings (${COLUMNS.join(', ')})
SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?) WHERE true
ON CONFLICT (id) DO NOTHING`
const CHUNK = 1000
/** What this script asks of the D1 binding (Node's types do not know Workers' `D1Database`). */
type LocalD1 = { prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<unknown> } } }

/**
 * Writes `count` corpus rows into the local D1 under `persistDir` (a wrangler state directory,
 * as `--persist-to` takes it), whose migrations must already be applied.
 */
export async function seedSearchListings(persistDir: string, count: number, now = new Date()): Promise<{ rows: number; ms: number }> {
  const started = performance.now()
  // A configuration holding only the D1 binding (the real one's objects and queues mean nothing
  // here); local D1 keeps a database's file under its id, so the id must be wrangler.toml's.
  const databaseId = /^database_id\s*=\s*"([^"]+)"/m.exec(readFileSync('wrangler.toml', 'utf8'))?.[1]
  if (!databaseId) throw new Error('wrangler.toml declares no D1 database_id')
  const dir = mkdtempSync(join(tmpdir(), 'souk-seed-search-'))
  const config = join(dir, 'wrangler.json')
  writeFileSync(config, JSON.stringify({ name: 'souk-seed', compatibility_date: '2026-05-03', d1_databases: [{ binding: 'DB', database_name: 'souk', database_id: databaseId }] }))
  const proxy = await getPlatformProxy<{ DB: LocalD1 }>({ configPath: config, persist: { path: join(resolve(persistDir), 'v3') }, remoteBindings: false, envFiles: [] })
  try {
    const insert = proxy.env.DB.prepare(INSERT)
    let chunk: unknown[][] = []
    for (const { view, price, endsAt } of searchCorpus(count, now)) {
      chunk.push([view.id, view.sellerId, view.title, view.description, view.category, view.format, view.status, view.currency, price, endsAt, view.version, JSON.stringify(view), view.createdAt, view.updatedAt])
      if (chunk.length === CHUNK) {
        await insert.bind(JSON.stringify(chunk)).run()
        chunk = []
      }
    }
    if (chunk.length > 0) await insert.bind(JSON.stringify(chunk)).run()
  } finally {
    await proxy.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
  return { rows: count, ms: performance.now() - started }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name)
    return i === -1 ? undefined : process.argv[i + 1]
  }
  const count = Number(arg('--count') ?? 100_000)
  const persist = arg('--persist-to') ?? '.wrangler/state'
  if (!Number.isSafeInteger(count) || count < 1) throw new Error('--count takes a whole number of listings')
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist])
  const { rows, ms } = await seedSearchListings(persist, count)
  console.log(`Seeded ${rows} listings into ${persist} in ${(ms / 1000).toFixed(1)} s.`)
}
