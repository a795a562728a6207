import { execSync } from 'node:child_process'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { closedLoop } from '../load.ts'
const souk = await startLocalSouk({ LOG_LEVEL: 'error', BINDING_PROBE: process.env.PROBE ?? 'on' })
const base = souk.url
const post = (path: string, token: string | undefined, body: unknown, extra: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
const reg = async () => { const r = await post('/v1/auth/register', undefined, { email: `s-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: 's' }); return ((await r.json()) as { token: string }).token }
const fds = () => execSync(`for p in $(pgrep workerd); do echo "$p $(ls /proc/$p/fd | wc -l)"; done`).toString().trim().replace(/\n/g, ' | ')
const seller = await reg()
const bidders = await Promise.all(Array.from({ length: 32 }, reg))
const shelves = await Promise.all(Array.from({ length: 50 }, async () => { const r = await post('/v1/listings', seller, { title: 'M', category: 'bench', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 100000 }); return ((await r.json()) as { id: string }).id }))
const address = { name: 'Bench Buyer', line1: '1 Load St', city: 'Springfield', postalCode: '12345', country: 'US' }
const send = async (i: number) => { const r = await post('/v1/checkout', bidders[i % 32], { items: [{ listingId: shelves[i % 50], quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }, { 'idempotency-key': crypto.randomUUID() }); await r.text(); return r.status }
console.log('start', fds())
for (let k = 0; k < 4; k++) { const r = await closedLoop(3000, 32, send); console.log('after', r.samples.length, 'checkouts:', fds()) }
await new Promise((r) => setTimeout(r, 5000)); console.log('5s later', fds())
console.log(execSync(`p=$(pgrep workerd | head -1); for p in $(pgrep workerd); do echo "== $p"; ls -l /proc/$p/fd 2>/dev/null | awk '{print $NF}' | sed 's/[0-9]\\+/N/g' | sort | uniq -c | sort -rn | head -4; done`).toString())
console.log(execSync(`ss -tnp | grep workerd | awk '{print $4" -> "$5}' | sed 's/:[0-9]* ->/ ->/' | sort | uniq -c | sort -rn | head -8`).toString())
await souk.stop()
