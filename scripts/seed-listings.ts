import { createHash } from 'node:crypto'
import { drawPicture, initialsOf, type Motif, type Rgb } from './demo-pictures.ts'
import { encodePng } from './png-encoder.ts'

/**
 * Demo listings for `npm start`, created through the public API once the worker is up (listings
 * live in their Durable Objects, which only the running worker can reach): a dozen and more of
 * Alice's, in several categories and at several prices, fixed price with stock, offers and
 * auctions, three of which end a few minutes after the start, each with one to three photos drawn
 * by scripts/demo-pictures.ts and uploaded through POST /v1/listings/{id}/images.
 *
 * Idempotent and quick to re-run: a catalog item Alice already has for sale (by title) is left
 * alone, and only its missing photos are uploaded; every call carries an Idempotency-Key derived
 * from its body, so a restart before the first run finished replays it instead of listing twice.
 * The auctions that end within minutes are listed again at each start once the last ones ended,
 * so there is always one to watch end live. Alice, the demo seller, verifies her identity first
 * (the sandbox identity provider verifies her a second later, through Stripe's webhook path), so
 * the demo can pay her out; asking again when she is verified starts nothing.
 */
type Json = Record<string, unknown>
type Listed = { id: string; title: string; images: unknown[] }

type Item = {
  key: string
  title: string
  description: string
  category: string
  photos: 1 | 2 | 3
  colors: [Rgb, Rgb]
  motif: Motif
  /** Minor units, USD. */
  sale: { price: number; quantity: number; acceptsOffers: boolean } | { startingBid: number; reserve?: number; buyNow?: number; endsInDays?: number; endsInMinutes?: number }
  /** What Bob does once it is listed. */
  bob?: { bid: number } | { offer: number; quantity: number }
}

export const demoCatalog: Item[] = [
  { key: 'mugs', title: 'Hand-thrown stoneware mug', description: 'Speckled glaze, 350 ml, dishwasher safe. Each one slightly different.', category: 'kitchen', photos: 3, colors: [[196, 120, 82], [92, 60, 48]], motif: 'rings', sale: { price: 2800, quantity: 12, acceptsOffers: true }, bob: { offer: 2200, quantity: 2 } },
  { key: 'lamp', title: '1920s brass desk lamp', description: 'Rewired, working, original shade. Light patina.', category: 'home', photos: 2, colors: [[222, 180, 90], [120, 84, 30]], motif: 'disc', sale: { startingBid: 2000, reserve: 6000, buyNow: 15000, endsInDays: 3 }, bob: { bid: 3500 } },
  { key: 'camera', title: 'Vintage film camera', description: '35 mm rangefinder, serviced last year, with case.', category: 'photography', photos: 3, colors: [[60, 64, 72], [150, 160, 170]], motif: 'dots', sale: { startingBid: 5000, endsInDays: 5 } },
  { key: 'armchair', title: 'Mid-century teak armchair', description: 'Danish style, new wool cushions in moss green. Collection or courier.', category: 'furniture', photos: 3, colors: [[150, 90, 50], [70, 110, 70]], motif: 'diamond', sale: { startingBid: 12000, buyNow: 40000, endsInMinutes: 4 }, bob: { bid: 13000 } },
  { key: 'jazz-lp', title: 'Signed jazz LP, first pressing', description: 'Blue-label first pressing, signed on the sleeve. Vinyl plays clean.', category: 'music', photos: 2, colors: [[20, 40, 110], [10, 10, 30]], motif: 'rings', sale: { startingBid: 2500, endsInMinutes: 7 }, bob: { bid: 3000 } },
  { key: 'wristwatch', title: 'Retro automatic wristwatch', description: 'Steel case, 36 mm, keeps good time. Leather strap, a little worn.', category: 'watches', photos: 2, colors: [[200, 200, 210], [70, 80, 100]], motif: 'disc', sale: { startingBid: 6000, reserve: 9000, endsInMinutes: 9 } },
  { key: 'cutting-board', title: 'Walnut end-grain cutting board', description: '40 × 30 cm, oiled with food-safe wax. Kind to knives.', category: 'kitchen', photos: 2, colors: [[120, 80, 50], [60, 40, 25]], motif: 'stripes', sale: { price: 4500, quantity: 6, acceptsOffers: true } },
  { key: 'throw', title: 'Linen throw blanket', description: 'Stonewashed linen, 130 × 170 cm, in sage.', category: 'home', photos: 1, colors: [[170, 190, 160], [230, 230, 215]], motif: 'waves', sale: { price: 8900, quantity: 4, acceptsOffers: true } },
  { key: 'keyboard', title: 'Mechanical keyboard, tactile switches', description: 'Tenkeyless, PBT keycaps, USB-C. Barely used.', category: 'electronics', photos: 3, colors: [[40, 40, 48], [110, 40, 160]], motif: 'dots', sale: { price: 13500, quantity: 3, acceptsOffers: true } },
  { key: 'running-shoes', title: 'Trail running shoes, size 42', description: 'Grippy lugs, rock plate, 80 km on them.', category: 'sports', photos: 2, colors: [[240, 110, 40], [40, 60, 90]], motif: 'stripes', sale: { price: 7000, quantity: 8, acceptsOffers: false } },
  { key: 'harbour-print', title: 'Watercolour harbour print', description: 'Giclée print of an original watercolour, A3, signed and numbered.', category: 'art', photos: 1, colors: [[90, 160, 200], [240, 230, 200]], motif: 'waves', sale: { startingBid: 4000, reserve: 8000, endsInDays: 2 } },
  { key: 'skillet', title: 'Cast-iron skillet, 26 cm', description: 'Pre-seasoned, oven safe, heavy as it should be.', category: 'kitchen', photos: 1, colors: [[50, 50, 50], [140, 60, 40]], motif: 'disc', sale: { price: 3800, quantity: 20, acceptsOffers: false } },
  { key: 'vase', title: 'Handmade ceramic vase', description: 'Wheel-thrown, celadon glaze, 24 cm tall.', category: 'home', photos: 2, colors: [[120, 180, 170], [30, 70, 80]], motif: 'diamond', sale: { price: 5500, quantity: 2, acceptsOffers: true } },
  { key: 'board-games', title: 'Board game bundle: three classics', description: 'Complete, sleeved cards, boxes a little shelf-worn.', category: 'toys', photos: 3, colors: [[230, 200, 60], [200, 60, 60]], motif: 'dots', sale: { price: 3000, quantity: 1, acceptsOffers: true } },
]

/** The photos of a catalog item, as PNG bytes: the same every run, so an upload's key replays it. */
export function demoPhotos(item: Pick<Item, 'title' | 'colors' | 'motif' | 'photos'>): Uint8Array[] {
  return Array.from({ length: item.photos }, (_, i) => encodePng(drawPicture({ initials: initialsOf(item.title.split(/\s+/).map((w) => w[0] ?? '').join('')), from: item.colors[0], to: item.colors[1], motif: item.motif }, i)))
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)

/** The body of POST /v1/listings for `item` at `now`: auction ends rounded (whole hours, or whole minutes for the short ones), so a re-run soon after sends the same body. */
function listingBody(item: Item, now: number): Json {
  const usd = (amount: number) => ({ amount, currency: 'USD' })
  const base = { title: item.title, description: item.description, category: item.category }
  const s = item.sale
  if ('price' in s) return { ...base, format: 'fixed_price', price: usd(s.price), quantity: s.quantity, acceptsOffers: s.acceptsOffers }
  const endsAt = s.endsInMinutes !== undefined ? Math.ceil(now / 60_000) * 60_000 + s.endsInMinutes * 60_000 : Math.floor(now / 3_600_000) * 3_600_000 + (s.endsInDays ?? 1) * 86_400_000
  return {
    ...base,
    format: 'auction',
    auction: { startingBid: usd(s.startingBid), ...(s.reserve ? { reservePrice: usd(s.reserve) } : {}), ...(s.buyNow ? { buyNowPrice: usd(s.buyNow) } : {}), endsAt: new Date(endsAt).toISOString() },
  }
}

export async function seedDemoListings(base: string): Promise<{ listed: number; photos: number }> {
  const call = async (path: string, init: { method?: string; token?: string; body?: Json | Uint8Array; type?: string; key?: string } = {}) => {
    const raw = init.body instanceof Uint8Array
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': init.type ?? 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.key ? { 'idempotency-key': `souk-demo-${init.key}` } : {}),
      },
      ...(init.body ? { body: raw ? (init.body as Uint8Array) : JSON.stringify(init.body) } : {}),
    })
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`)
    const body: unknown = await res.json()
    return body as Json
  }
  const login = async (email: string) => call('/v1/auth/login', { method: 'POST', body: { email, password: 'souk-demo-password' } }) as Promise<{ token: string; user: { id: string } }>
  const alice = await login('alice@souk.test')
  const bob = await login('bob@souk.test')
  await call('/v1/me/verification', { method: 'POST', token: alice.token })

  const forSale = (await call(`/v1/listings?sellerId=${alice.user.id}&limit=100&status=active`)) as { data: Listed[] }
  const byTitle = new Map(forSale.data.map((l) => [l.title, l]))
  const now = Date.now()
  let listed = 0
  let photos = 0
  for (const item of demoCatalog) {
    let listing = byTitle.get(item.title)
    if (!listing) {
      const body = listingBody(item, now)
      listing = (await call('/v1/listings', { method: 'POST', token: alice.token, body, key: `${item.key}-${digest(body)}` })) as Listed
      listed++
      const b = item.bob
      if (b && 'bid' in b) await call(`/v1/listings/${listing.id}/bids`, { method: 'POST', token: bob.token, body: { maxAmount: { amount: b.bid, currency: 'USD' } }, key: `bid-${listing.id}` })
      if (b && 'offer' in b) await call(`/v1/listings/${listing.id}/offers`, { method: 'POST', token: bob.token, body: { amount: { amount: b.offer, currency: 'USD' }, quantity: b.quantity }, key: `offer-${listing.id}` })
    }
    const pictures = demoPhotos(item)
    for (let i = listing.images.length; i < pictures.length; i++) {
      await call(`/v1/listings/${listing.id}/images`, { method: 'POST', token: alice.token, body: pictures[i], type: 'image/png', key: `photo-${listing.id}-${i}` })
      photos++
    }
  }
  if (listed > 0 || photos > 0) console.log(`Seeded ${listed} demo listings and ${photos} photos (Alice sells, Bob bids and offers).`)
  return { listed, photos }
}
