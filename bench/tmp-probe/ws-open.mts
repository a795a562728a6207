import WebSocket from 'ws'
import { startLocalSouk } from '../../scripts/local-worker.ts'
const souk = await startLocalSouk({ LOG_LEVEL: 'error', BINDING_PROBE: process.env.PROBE ?? 'on' })
const base = souk.url
const post = (path: string, token: string | undefined, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
const r = await post('/v1/auth/register', undefined, { email: `s-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: 's' })
const token = ((await r.json()) as { token: string }).token
const l = await post('/v1/listings', token, { title: 'A', category: 'bench', format: 'auction', auction: { startingBid: { amount: 100, currency: 'USD' }, endsAt: new Date(Date.now() + 3600e3).toISOString() } })
const id = ((await l.json()) as { id: string }).id
const url = `${base.replace(/^http/, 'ws')}/v1/listings/${id}/live`
if (process.env.FLOOD) { const t = performance.now(); const rs = await Promise.all(Array.from({ length: 1000 }, () => fetch(`${base}/v1/listings/${id}`).then((x) => x.status))); console.log('flood', rs.filter((s) => s === 200).length, (performance.now() - t).toFixed(0)) }
if (process.env.RUSH) {
  const buyers = await Promise.all(Array.from({ length: 32 }, async () => { const r = await post('/v1/auth/register', undefined, { email: `b-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: 'b' }); return ((await r.json()) as { token: string }).token }))
  const fl = await post('/v1/listings', token, { title: 'M', category: 'bench', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 10 })
  const lid = ((await fl.json()) as { id: string }).id
  const address = { name: 'Bench Buyer', line1: '1 Load St', city: 'Springfield', postalCode: '12345', country: 'US' }
  const t = performance.now()
  const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => fetch(`${base}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${buyers[i % 32]}`, 'idempotency-key': crypto.randomUUID() }, body: JSON.stringify({ items: [{ listingId: lid, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }) }).then(async (x) => { await x.text(); return x.status })))
  console.log('rush', rs.filter((s) => s === 201).length, rs.filter((s) => s === 409).length, (performance.now() - t).toFixed(0))
}
const sockets: WebSocket[] = []
for (let i = 0; i < 1000; i += 100) {
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 100 }, () => new Promise((res, rej) => { const ws = new WebSocket(url); sockets.push(ws); ws.once('open', res); ws.once('error', rej); ws.once('unexpected-response', (_q, s) => rej(new Error(String(s.statusCode)))) })))
  console.log(`batch ${i / 100}: ${(performance.now() - t0).toFixed(0)} ms`)
}
for (const ws of sockets) ws.terminate()
await souk.stop()
