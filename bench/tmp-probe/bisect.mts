import WebSocket from 'ws'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { closedLoop } from '../load.ts'
const souk = await startLocalSouk({ LOG_LEVEL: 'error', BINDING_PROBE: 'on' })
const base = souk.url
const phases = (process.env.PHASES ?? 'A').split('')
const post = (path: string, token: string | undefined, body: unknown, extra: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
const reg = async () => { const r = await post('/v1/auth/register', undefined, { email: `s-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: 's' }); return ((await r.json()) as { token: string }).token }
let ceiling: any
if (phases.includes('C')) {
  const { unstable_startWorker } = await import('wrangler')
  const { mkdtempSync } = await import('node:fs'); const { tmpdir } = await import('node:os'); const { join } = await import('node:path')
  ceiling = await unstable_startWorker({ config: 'bench/ceiling/wrangler.toml', dev: { server: { hostname: '127.0.0.1', port: 0 }, persist: mkdtempSync(join(tmpdir(), 'souk-ceiling-')), watch: false, inspector: false, logLevel: 'error' } })
  const cu = (await ceiling.url).origin
  const r = await closedLoop(3000, 64, async () => (await fetch(`${cu}/?object=hot`)).status)
  console.log('C', r.samples.length)
}
const seller = await reg()
const bidders = await Promise.all(Array.from({ length: 32 }, reg))
const auction = async () => { const l = await post('/v1/listings', seller, { title: 'A', category: 'bench', format: 'auction', auction: { startingBid: { amount: 100, currency: 'USD' }, endsAt: new Date(Date.now() + 3600e3).toISOString() } }); return ((await l.json()) as { id: string }).id }
const address = { name: 'Bench Buyer', line1: '1 Load St', city: 'Springfield', postalCode: '12345', country: 'US' }
if (phases.includes('A')) {
  const id = await auction(); let price = 100
  const r = await closedLoop(4000, 64, async (i) => { const res = await post(`/v1/listings/${id}/bids`, bidders[i % 32], { maxAmount: { amount: price + 100 + Math.floor(Math.random() * 4) * 100, currency: 'USD' } }); const b = (await res.json()) as any; price = Math.max(price, b.currentPrice?.amount ?? 0, (b.minimum?.amount ?? 0) - 100); return res.status })
  console.log('A', r.samples.length)
}
if (phases.includes('E')) {
  const shelves = await Promise.all(Array.from({ length: 50 }, async () => { const r = await post('/v1/listings', seller, { title: 'M', category: 'bench', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 100000 }); return ((await r.json()) as { id: string }).id }))
  const r = await closedLoop(3000, 32, async (i) => { const res = await post('/v1/checkout', bidders[i % 32], { items: [{ listingId: shelves[i % 50], quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }, { 'idempotency-key': crypto.randomUUID() }); await res.text(); return res.status })
  console.log('E', r.samples.length)
}
if (phases.includes('F')) {
  const fl = await post('/v1/listings', seller, { title: 'M', category: 'bench', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 10 })
  const lid = ((await fl.json()) as { id: string }).id
  const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => post('/v1/checkout', bidders[i % 32], { items: [{ listingId: lid, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }, { 'idempotency-key': crypto.randomUUID() }).then(async (x) => { await x.text(); return x.status })))
  console.log('F', rs.filter((s) => s === 201).length)
}
if (phases.includes('P')) { const r = await fetch(`${base}/v1/dev/binding-counts?reset=1`); await r.text() }
const id = await auction()
const url = `${base.replace(/^http/, 'ws')}/v1/listings/${id}/live`
const sockets: WebSocket[] = []
let opened = 0
for (let i = 0; i < 1000; i += 100) {
  const t0 = performance.now()
  try {
    await Promise.all(Array.from({ length: 100 }, () => new Promise((res, rej) => { const ws = new WebSocket(url); sockets.push(ws); const t = setTimeout(() => rej(new Error('timeout')), 15000); ws.once('open', () => { opened++; clearTimeout(t); res(0) }); ws.once('error', rej) })))
  } catch (e) {
    console.log('STALL at', opened, String(e))
    const { execSync } = await import('node:child_process')
    const port = new URL(base).port
    console.log('nonzero queues:\n' + execSync(`ss -tan | grep ':${port}' | awk '$2 != 0 || $3 != 0' | head -20`).toString())
    console.log(execSync(`ss -tanp | grep ':${port}' | awk '{print $1, $4, $5, $6}' | sed -E 's/127.0.0.1:[0-9]+ 127.0.0.1:${port}/client->entry/; s/127.0.0.1:${port} 127.0.0.1:[0-9]+/entry->client/' | awk '{print $1, $2, $3, $4}' | sed -E 's/fd=[0-9]+//' | sort | uniq -c`).toString())
    const counts = await (await fetch(`${base}/v1/dev/binding-counts`)).json() as any
    console.log(JSON.stringify(counts).match(/live[^\]]{0,300}/g)?.slice(0, 3))
    break
  }
  console.log(`batch ${i / 100}: ${(performance.now() - t0).toFixed(0)} ms`)
}
for (const ws of sockets) ws.terminate()
await souk.stop()
process.exit(0)
