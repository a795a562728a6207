/**
 * Demo listings for `npm start`, created through the public API once the worker is up (listings
 * live in their Durable Objects, which only the running worker can reach). Skipped when search
 * already shows the demo seller's listings; every call carries a fixed Idempotency-Key, so a
 * restart before search has caught up replays the first run instead of listing everything twice.
 * Alice, the demo seller, verifies her identity first (the sandbox identity provider verifies her a
 * second later, through Stripe's webhook path), so the demo can pay her out; asking again when she
 * is verified starts nothing.
 */
type Json = Record<string, unknown>

export async function seedDemoListings(base: string): Promise<void> {
  const call = async (path: string, init: { method?: string; token?: string; body?: Json; key?: string } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.key ? { 'idempotency-key': `souk-demo-${init.key}` } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    })
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`)
    return (await res.json()) as Json
  }
  const login = async (email: string) => call('/v1/auth/login', { method: 'POST', body: { email, password: 'souk-demo-password' } }) as Promise<{ token: string; user: { id: string } }>
  const alice = await login('alice@souk.test')
  const bob = await login('bob@souk.test')
  await call('/v1/me/verification', { method: 'POST', token: alice.token })
  const mine = (await call(`/v1/listings?sellerId=${alice.user.id}&limit=1&status=active`)) as { data: unknown[] }
  if (mine.data.length > 0) return

  const usd = (amount: number) => ({ amount, currency: 'USD' })
  // Whole hours, so a re-run within the hour sends the very same bodies under the same keys.
  const inDays = (days: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + days * 86_400_000).toISOString()
  const list = (key: string, body: Json) => call('/v1/listings', { method: 'POST', token: alice.token, body, key }) as Promise<{ id: string }>
  const mugs = await list('mugs', {
    title: 'Hand-thrown stoneware mug',
    description: 'Speckled glaze, 350 ml, dishwasher safe. Each one slightly different.',
    category: 'kitchen',
    format: 'fixed_price',
    price: usd(2800),
    quantity: 12,
    acceptsOffers: true,
  })
  const lamp = await list('lamp', {
    title: '1920s brass desk lamp',
    description: 'Rewired, working, original shade. Light patina.',
    category: 'home',
    format: 'auction',
    auction: { startingBid: usd(2000), reservePrice: usd(6000), buyNowPrice: usd(15000), endsAt: inDays(3) },
  })
  await list('camera', {
    title: 'Vintage film camera',
    description: '35 mm rangefinder, serviced last year, with case.',
    category: 'photography',
    format: 'auction',
    auction: { startingBid: usd(5000), endsAt: inDays(5) },
  })
  await call(`/v1/listings/${lamp.id}/bids`, { method: 'POST', token: bob.token, body: { maxAmount: usd(3500) }, key: 'lamp-bid' })
  await call(`/v1/listings/${mugs.id}/offers`, { method: 'POST', token: bob.token, body: { amount: usd(2200), quantity: 2 }, key: 'mugs-offer' })
  console.log(`Seeded demo listings: ${mugs.id} (mugs), ${lamp.id} (lamp auction) and a camera auction.`)
}
