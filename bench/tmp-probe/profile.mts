import WebSocket from 'ws'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unstable_startWorker } from 'wrangler'
import { developmentSecrets, developmentVars } from '../../scripts/development-vars.ts'
import { prepareLocalDatabase } from '../../scripts/local-d1.ts'
import { closedLoop } from '../load.ts'
const persist = mkdtempSync(join(tmpdir(), 'souk-prof-'))
await prepareLocalDatabase(persist)
const bindings: Record<string, any> = {}
for (const [k, v] of Object.entries(developmentVars())) bindings[k] = typeof v === 'string' ? { type: 'plain_text', value: v } : { type: 'json', value: v }
for (const [k, v] of Object.entries(developmentSecrets())) bindings[k] = { type: 'secret_text', value: v }
bindings.LOG_LEVEL = { type: 'plain_text', value: 'error' }
const worker = await unstable_startWorker({ config: 'wrangler.toml', bindings, dev: { server: { hostname: '127.0.0.1', port: 0 }, persist, watch: false, inspector: { port: 9333 }, logLevel: 'warn' } })
const base = (await worker.url).origin
const post = (path: string, token: string | undefined, body: unknown, extra: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
const reg = async () => { const r = await post('/v1/auth/register', undefined, { email: `s-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: 's' }); return ((await r.json()) as { token: string }).token }
const seller = await reg()
const bidders = await Promise.all(Array.from({ length: 32 }, reg))
const mode = process.env.MODE ?? 'bids'
let send: (i: number) => Promise<number>
if (mode === 'bids') {
  const l = await post('/v1/listings', seller, { title: 'A', category: 'bench', format: 'auction', auction: { startingBid: { amount: 100, currency: 'USD' }, endsAt: new Date(Date.now() + 3600e3).toISOString() } })
  const id = ((await l.json()) as { id: string }).id
  let price = 100
  send = async (i) => { const res = await post(`/v1/listings/${id}/bids`, bidders[i % 32], { maxAmount: { amount: price + 100 + Math.floor(Math.random() * 4) * 100, currency: 'USD' } }); const b = (await res.json()) as any; price = Math.max(price, b.currentPrice?.amount ?? 0, (b.minimum?.amount ?? 0) - 100); return res.status }
} else {
  const shelves = await Promise.all(Array.from({ length: 50 }, async () => { const r = await post('/v1/listings', seller, { title: 'M', category: 'bench', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 100000 }); return ((await r.json()) as { id: string }).id }))
  const address = { name: 'Bench Buyer', line1: '1 Load St', city: 'Springfield', postalCode: '12345', country: 'US' }
  send = async (i) => { const r = await post('/v1/checkout', bidders[i % 32], { items: [{ listingId: shelves[i % 50], quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }, { 'idempotency-key': crypto.randomUUID() }); await r.text(); return r.status }
}
await closedLoop(2000, 32, send)
const list = (await (await fetch('http://127.0.0.1:9333/json')).json()) as { webSocketDebuggerUrl: string; title: string; id: string }[]
console.log(list.map((x) => x.title + ' ' + x.id))
const target = list.find((x) => x.title.includes(process.env.TARGET ?? 'souk')) ?? list[0]
const ws = new WebSocket(target.webSocketDebuggerUrl)
await new Promise((r) => ws.once('open', r))
let n = 0
const pending = new Map<number, (v: any) => void>()
ws.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.id && pending.has(m.id)) { pending.get(m.id)!(m.result); pending.delete(m.id) } })
const call = (method: string, params: any = {}) => new Promise<any>((r) => { const id = ++n; pending.set(id, r); ws.send(JSON.stringify({ id, method, params })) })
await call('Profiler.enable')
await call('Profiler.setSamplingInterval', { interval: 200 })
await call('Profiler.start')
const res = await closedLoop(5000, 32, send)
const { profile } = await call('Profiler.stop')
console.log('rate', (res.samples.length / (res.elapsedMs / 1000)).toFixed(0), 'statuses', JSON.stringify(res.samples.reduce((m: any, s) => ((m[s.status] = (m[s.status] ?? 0) + 1), m), {})))
const self = new Map<string, number>()
const byId = new Map<number, any>(profile.nodes.map((x: any) => [x.id, x]))
const counts = new Map<number, number>()
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1)
let total = 0
for (const [id, c] of counts) { const node = byId.get(id); const f = node.callFrame; const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`; self.set(key, (self.get(key) ?? 0) + c); total += c }
// inclusive by file
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const ch of node.children ?? []) parent.set(ch, node.id)
const incl = new Map<string, number>()
for (const [id, c] of counts) { const seen = new Set<string>(); let cur: number | undefined = id; while (cur !== undefined) { const f = byId.get(cur).callFrame; const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber}`; if (!seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) ?? 0) + c) } cur = parent.get(cur) } }
console.log('total samples', total)
console.log('--- self top 30')
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((100 * v / total).toFixed(1).padStart(5), k)
console.log('--- inclusive top 60')
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((100 * v / total).toFixed(1).padStart(5), k)
ws.close()
await worker.dispose()
