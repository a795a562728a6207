import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { unstable_startWorker } from 'wrangler'
import WebSocket from 'ws'
import { startLocalSouk } from '../scripts/local-worker.ts'
import { bindingCounts, countsTable, type CountedScenario } from './counts.ts'
import { fanoutWithCeiling, WATCHER_OPEN_LIMIT_MS, type FanoutResult } from './fanout.ts'
import { closedLoop, openLoop, type Sample } from './load.ts'
import { riskScenario } from './risk.ts'
import { searchScenario } from './search.ts'
import { fmt, summarize, type Summary } from './stats.ts'

/**
 * `npm run bench`: starts Souk locally (as `npm start` would) and a tiny ceiling worker, then drives
 * both from this process over real HTTP and WebSocket:
 *   (a) bids/s and latency on one hot auction with many concurrent bidders
 *   (b) bid → watcher latency with many WebSocket watchers on one listing, beside its ceiling: a
 *       no-op object broadcasting the same messages to as many sockets at the same pace
 *   (c) the ceiling: calls/s to a no-op Durable Object through a tiny worker, same machine, same run
 *   (d) bid latency at a fixed offered rate of half the maximum found in (a)
 * and (e)–(h), (i) search over 100,000 listings on a Souk of its own (bench/search.ts), and (j) the
 * risk engine's decision in process (bench/risk.ts); see
 * bench/README.md. Prints a table; a full run (no BENCH_ONLY) writes bench/RESULTS.md.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64)
const bidderCount = Number(process.env.BENCH_BIDDERS ?? 200)
const watcherCount = Number(process.env.BENCH_WATCHERS ?? 1000)
const durationMs = seconds * 1000
const ROUNDS = 3
/** BENCH_ONLY: the scenarios to run, by letter (`BENCH_ONLY=b,e`); unset runs them all. See bench/README.md. */
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))
const runs = (letter: string) => only.size === 0 || only.has(letter)
/** The order of the table's rows. */
const ROW_ORDER = ['(a) bids on one hot auction', '(b) bid → watcher', '(b) ceiling: no-op fan-out', '(c) ceiling: no-op object', '(e) checkouts, uncontended', '(f) 1,000 checkouts for 10 units', '(g) event → notification', '(h) webhook deliveries', '(d) bids at half of (a)']
const usd = (amount: number) => ({ amount, currency: 'USD' })

type Row = { scenario: string; rate: string; latency: Summary; note: string }

const startedAt = performance.now()
/** A progress line with the time since the bench started, so a phase that stalls shows as a gap. */
const progress = (line: string) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`)

async function main(): Promise<void> {
  const rows: Row[] = []
  const counted: CountedScenario[] = []
  if ([...'abcdefgh'].some(runs)) {
    progress(`Starting Souk and the ceiling worker (${cpus().length} CPUs, Node ${process.version})…`)
    // BINDING_PROBE: every request's D1, object and queue calls are counted (bench/counts.ts).
    // LIVE_SOCKETS_PER_IP: every watcher of scenario (d) connects from this one machine's address.
    const souk = await startLocalSouk({ LOG_LEVEL: 'error', BINDING_PROBE: 'on', LIVE_SOCKETS_PER_IP: '10000' })
    const ceilingState = mkdtempSync(join(tmpdir(), 'souk-ceiling-'))
    const ceiling = await unstable_startWorker({
      config: 'bench/ceiling/wrangler.toml',
      dev: { server: { hostname: '127.0.0.1', port: 0 }, persist: ceilingState, watch: false, inspector: false, logLevel: 'error' },
    })
    const ceilingUrl = (await ceiling.url).origin
    try {
      const done = await scenarios(souk.url, ceilingUrl)
      rows.push(...done.rows)
      counted.push(...done.counted)
    } finally {
      await ceiling.dispose()
      rmSync(ceilingState, { recursive: true, force: true })
      await souk.stop()
    }
  }
  // (i) last, on a Souk of its own seeded with 100,000 listings, once the others' is gone.
  if (runs('i')) rows.push(...(await searchScenario(progress)))
  if (runs('j')) rows.push(...riskScenario(progress))
  report(rows, counted)
}

async function scenarios(base: string, ceilingUrl: string): Promise<{ rows: Row[]; counted: CountedScenario[] }> {
  const probe = bindingCounts(base)
  const counted: CountedScenario[] = []
  const bids = ['POST /v1/listings/:id/bids 201', 'POST /v1/listings/:id/bids 409']
  const post = (path: string, token: string | undefined, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
  const register = async (label: string) => {
    const res = await post('/v1/auth/register', undefined, { email: `${label}-${crypto.randomUUID()}@bench.test`, password: 'bench-password-1234', displayName: label })
    if (res.status !== 201) throw new Error(`register ${res.status}: ${await res.text()}`)
    return ((await res.json()) as { token: string }).token
  }
  const auction = async (sellerToken: string) => {
    const res = await post('/v1/listings', sellerToken, {
      title: 'Bench auction',
      category: 'bench',
      format: 'auction',
      auction: { startingBid: usd(100), endsAt: new Date(Date.now() + 6 * 3_600_000).toISOString() },
    })
    if (res.status !== 201) throw new Error(`listing ${res.status}: ${await res.text()}`)
    return ((await res.json()) as { id: string }).id
  }

  const fixedListing = async (sellerToken: string, quantity: number) => {
    const res = await post('/v1/listings', sellerToken, { title: 'Bench mugs', category: 'bench', format: 'fixed_price', price: usd(1500), quantity })
    if (res.status !== 201) throw new Error(`listing ${res.status}: ${await res.text()}`)
    return ((await res.json()) as { id: string }).id
  }
  const address = { name: 'Bench Buyer', line1: '1 Load St', city: 'Springfield', postalCode: '12345', country: 'US' }
  const checkout = (token: string, listingId: string, key: string) =>
    fetch(`${base}/v1/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify({ items: [{ listingId, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address }),
    })

  progress(`Registering ${bidderCount} bidders…`)
  const seller = await register('seller')
  const bidders: string[] = []
  for (let i = 0; i < bidderCount; i += 16) {
    bidders.push(...(await Promise.all(Array.from({ length: Math.min(16, bidderCount - i) }, (_, j) => register(`bidder${i + j}`)))))
  }

  const ping = async () => (await fetch(`${ceilingUrl}/?object=hot`)).status
  const ok = (samples: Sample[]) => samples.filter((s) => s.status < 500).length === samples.length
  const rows: Row[] = []

  // (a) One hot auction, many bidders, each bidding a little over the last price it heard of.
  const hot = await auction(seller)
  let price = 100
  let edgeRefused = 0
  // Bids answered neither 201 nor 409, by status and problem code (or the start of a body that is not a problem).
  const oddBids = new Map<string, number>()
  const bid = async (i: number) => {
    const res = await post(`/v1/listings/${hot}/bids`, bidders[i % bidders.length], { maxAmount: usd(price + 100 + Math.floor(Math.random() * 4) * 100) })
    if (res.headers.get('souk-edge-refused')) edgeRefused++
    const text = await res.text()
    if (res.status !== 201 && res.status !== 409) tally(oddBids, `${res.status} ${problemCode(text)}`)
    // Not every answer is Souk's: the local dev proxy may answer in plain text (a runtime restart).
    const body = (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as { currentPrice?: { amount: number }; minimum?: { amount: number } }
    price = Math.max(price, body.currentPrice?.amount ?? 0, (body.minimum?.amount ?? 0) - 100)
    return res.status
  }
  let aRate = 0
  if (runs('a') || runs('c') || runs('d')) {
    await closedLoop(1000, concurrency, ping)
    await closedLoop(1000, concurrency, bid)
    edgeRefused = 0
    oddBids.clear()
    await probe.reset()
    // (a) and (c) alternate in rounds, so a drift in the machine's load weighs on both alike.
    progress(`(a)/(c) hot auction and ceiling: ${seconds}s each in ${ROUNDS} rounds, concurrency ${concurrency}, ${bidders.length} bidders…`)
    const a = { samples: [] as Sample[], elapsedMs: 0 }
    const c = { samples: [] as Sample[], elapsedMs: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [into, send] of [[c, ping], [a, bid]] as const) {
        const r = await closedLoop(durationMs / ROUNDS, concurrency, send)
        into.samples.push(...r.samples)
        into.elapsedMs += r.elapsedMs
      }
    }
    aRate = a.samples.length / (a.elapsedMs / 1000)
    const cRate = c.samples.length / (c.elapsedMs / 1000)
    const placed = a.samples.filter((s) => s.status === 201).length
    const tooLow = a.samples.filter((s) => s.status === 409).length
    // (d) bids through the same counters.
    const aEdgeRefused = edgeRefused
    const aOdd = describeAnswers(oddBids)
    oddBids.clear()
    counted.push(await probe.take('(a) bids on one hot auction', bids))
    rows.push(
      {
        scenario: '(a) bids on one hot auction',
        rate: `${aRate.toFixed(0)} req/s`,
        latency: summarize(a.samples.map((s) => s.ms)),
        note:
          `${placed} placed, ${tooLow} too low (${aEdgeRefused} refused at the edge), ${a.samples.length - placed - tooLow} other${aOdd ? ` (${aOdd})` : ''}; ` +
          `${((a.samples.length - aEdgeRefused) / (a.elapsedMs / 1000)).toFixed(0)} req/s reached the object; ratio to (c): ${((aRate / cRate) * 100).toFixed(0)}%${ok(a.samples) ? '' : ', SERVER ERRORS'}`,
      },
      { scenario: '(c) ceiling: no-op object', rate: `${cRate.toFixed(0)} req/s`, latency: summarize(c.samples.map((s) => s.ms)), note: 'tiny worker → one DO RPC' },
    )
  }

  if (runs('d')) {
    // (d) Half of (a)'s maximum, offered on a fixed schedule.
    const offered = Math.max(1, Math.floor(aRate / 2))
    progress(`(d) fixed rate ${offered}/s for ${seconds}s…`)
    await probe.reset()
    const d = await openLoop(durationMs, offered, bid)
    counted.push(await probe.take('(d) bids at half of (a)', bids))
    rows.push({
      scenario: '(d) bids at half of (a)',
      rate: `${offered} req/s offered`,
      latency: summarize(d.samples.map((s) => s.ms)),
      note: `open loop; ${d.samples.filter((s) => s.status === 201).length} placed${oddBids.size ? `; others: ${describeAnswers(oddBids)}` : ''}${ok(d.samples) ? '' : ', SERVER ERRORS'}`,
    })
  }

  // Checkouts answered neither 201 nor 409, by status and problem code, so a note can say what they were.
  const odd = new Map<string, number>()
  const buyOne = async (i: number, listingId: string) => {
    const res = await checkout(bidders[i % bidders.length] ?? '', listingId, crypto.randomUUID())
    const text = await res.text()
    if (res.status !== 201 && res.status !== 409) {
      tally(odd, `${res.status} ${problemCode(text)}`)
    }
    return res.status
  }
  const oddAnswers = () => describeAnswers(odd)

  if (runs('e')) {
    // (e) Checkouts on uncontended listings: each buys one unit of one of many well-stocked listings.
    const checkoutConcurrency = Math.min(concurrency, 32)
    progress(`(e) uncontended checkouts: ${seconds}s, concurrency ${checkoutConcurrency}…`)
    const shelves = await Promise.all(Array.from({ length: 50 }, () => fixedListing(seller, 100_000)))
    const buyFromShelf = (i: number) => buyOne(i, shelves[i % shelves.length] ?? '')
    await closedLoop(1000, checkoutConcurrency, buyFromShelf)
    await probe.reset()
    const e = await closedLoop(durationMs, checkoutConcurrency, buyFromShelf)
    counted.push(await probe.take('(e) checkouts, uncontended', ['POST /v1/checkout 201']))
    const eRate = e.samples.filter((x) => x.status === 201).length / (e.elapsedMs / 1000)
    const eOdd = oddAnswers()
    odd.clear()
    rows.push({
      scenario: '(e) checkouts, uncontended',
      rate: `${eRate.toFixed(0)} orders/s`,
      latency: summarize(e.samples.map((x) => x.ms)),
      note: `concurrency ${checkoutConcurrency}, 50 listings; ${e.samples.filter((x) => x.status === 201).length} paid of ${e.samples.length}${eOdd ? ` (others: ${eOdd})` : ''}${ok(e.samples) ? '' : ', SERVER ERRORS'}`,
    })
  }

  if (runs('f')) {
    // (f) Contention: 1,000 checkouts at once for the 10 units of one listing.
    progress('(f) 1,000 simultaneous checkouts for 10 units…')
    const scarce = await fixedListing(seller, 10)
    odd.clear()
    await probe.reset()
    const fStart = performance.now()
    const paidAt: number[] = []
    const f = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const t0 = performance.now()
        const status = await buyOne(i, scarce)
        if (status === 201) paidAt.push(performance.now() - fStart)
        return { ms: performance.now() - t0, status }
      }),
    )
    const fElapsed = performance.now() - fStart
    const soldOutMs = paidAt.length >= 10 ? Math.max(...paidAt) : NaN
    counted.push(await probe.take('(f) 1,000 checkouts for 10 units', ['POST /v1/checkout 201', 'POST /v1/checkout 409']))
    const sellerOrders = (await (await fetch(`${base}/v1/orders?role=seller&status=paid&limit=100`, { headers: { authorization: `Bearer ${seller}` } })).json()) as {
      data: { items: { listingId: string; quantity: number }[] }[]
    }
    const soldUnits = sellerOrders.data.flatMap((o) => o.items).filter((i) => i.listingId === scarce).reduce((n, i) => n + i.quantity, 0)
    const oversell = Math.max(0, soldUnits - 10)
    rows.push({
      scenario: '(f) 1,000 checkouts for 10 units',
      rate: `${(paidAt.length / (soldOutMs / 1000)).toFixed(1)} orders/s`,
      latency: summarize(f.map((x) => x.ms)),
      note:
        `${paidAt.length} paid, ${f.filter((x) => x.status === 409).length} sold out, ${f.filter((x) => x.status !== 201 && x.status !== 409).length} other${odd.size ? ` (${oddAnswers()})` : ''}; ` +
        `sold out after ${soldOutMs.toFixed(0)} ms, all answered in ${fElapsed.toFixed(0)} ms; oversell ${oversell}${ok(f) ? '' : ', SERVER ERRORS'}`,
    })
  }

  if (runs('b')) {
    // (b) Many watchers on one listing; a bid every 50 ms; how long until each watcher hears of it.
    progress(`(b) ${watcherCount} watchers…`)
    const watched = await auction(seller)
    await probe.reset()
    // Its ceiling is measured turn about with it (bench/fanout.ts).
    const { b, ceiling: bc } = await fanoutWithCeiling(base, watched, bidders, post, ceilingUrl, watcherCount, progress)
    counted.push(await probe.take('(b) bid → watcher', ['GET /v1/listings/:id/live 101', 'POST /v1/listings/:id/bids 201']))
    const dialled = (r: FanoutResult) => (r.reconnected ? `; ${r.reconnected} watchers dialled again after ${WATCHER_OPEN_LIMIT_MS / 1000} s unanswered` : '')
    const delivered = (r: FanoutResult) => `${r.deliveries} of ${r.messages * watcherCount} deliveries (${r.messages} messages); ${r.inOrder ? 'every watcher saw them in seq order' : 'OUT OF ORDER'}`
    rows.push(
      {
        scenario: '(b) bid → watcher',
        rate: `${watcherCount} watchers`,
        latency: b.latency,
        note: `${delivered(b)}${dialled(b)}; bids answered in ${fmt(b.answered.p50)} ms (p50); at ${((bc.latency.p99 / b.latency.p99) * 100).toFixed(0)}% of its ceiling (the ceiling's p99 over this p99)`,
      },
      {
        scenario: '(b) ceiling: no-op fan-out',
        rate: `${watcherCount} watchers`,
        latency: bc.latency,
        note: `${delivered(bc)}${dialled(bc)}; one object sends each message to every socket in turn, answered once all are sent in ${fmt(bc.answered.p50)} ms (p50)`,
      },
    )
  }

  if (runs('g')) {
    // (g) Event → notification: an outbid bidder listening on /v1/me/live; one fresh auction per sample
    // (outbids on one listing are throttled to one per 5 minutes).
    progress('(g) event → notification latency…')
    await probe.reset()
    const g = await notificationLatency(base, seller, bidders, auction, post)
    counted.push(await probe.take('(g) event → notification', ['POST /v1/listings 201', 'POST /v1/listings/:id/bids 201']))
    rows.push({ scenario: '(g) event → notification', rate: `${g.samples} outbids`, latency: g.latency, note: 'bid answered → the outbid bidder’s live channel pushes the notice (recorded in the inbox first)' })
  }

  if (runs('h')) {
    // (h) Webhook throughput: the seller's endpoint takes every event; a burst of bids makes them.
    progress('(h) webhook deliveries to a local receiver…')
    await probe.reset()
    const h = await webhookThroughput(base, seller, bidders, auction, post)
    counted.push(await probe.take('(h) webhook deliveries', ['POST /v1/webhook-endpoints 201', 'POST /v1/listings/:id/bids 201']))
    rows.push({
      scenario: '(h) webhook deliveries',
      rate: `${h.rate.toFixed(0)} deliveries/s`,
      latency: h.latency,
      note: `${h.received} of ${h.expected} events delivered once each (${h.duplicates} repeats); latency from the event's commit to the receiver`,
    })
  }
  rows.sort((x, y) => ROW_ORDER.indexOf(x.scenario) - ROW_ORDER.indexOf(y.scenario))
  return { rows, counted }
}

type Post = (p: string, t: string | undefined, b: unknown) => Promise<Response>

async function notificationLatency(base: string, seller: string, bidders: string[], auction: (s: string) => Promise<string>, post: Post) {
  const samples = 40
  const [first = '', second = ''] = bidders
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/me/live`, { headers: { authorization: `Bearer ${first}` } })
  const arrivals: number[] = []
  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as { type: string; data: { type?: string } }
    if (m.type === 'notification' && m.data.type === 'bid.outbid') arrivals.push(performance.now())
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const latencies: number[] = []
  for (let i = 0; i < samples; i++) {
    const listing = await auction(seller)
    await post(`/v1/listings/${listing}/bids`, first, { maxAmount: usd(200) })
    const before = arrivals.length
    const t0 = performance.now()
    await post(`/v1/listings/${listing}/bids`, second, { maxAmount: usd(400) })
    const deadline = t0 + 10_000
    while (arrivals.length === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2))
    if (arrivals.length > before) latencies.push((arrivals[before] ?? t0) - t0)
  }
  ws.terminate()
  return { samples: latencies.length, latency: summarize(latencies) }
}

async function webhookThroughput(base: string, seller: string, bidders: string[], auction: (s: string) => Promise<string>, post: Post) {
  const { createServer } = await import('node:http')
  const seen = new Map<string, number>()
  let duplicates = 0
  const latencies: number[] = []
  let first = 0
  let last = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const now = Date.now()
      const id = String(req.headers['webhook-id'])
      if (seen.has(id)) duplicates++
      else {
        seen.set(id, now)
        latencies.push(now - Date.parse((JSON.parse(body) as { timestamp: string }).timestamp))
        first = first || performance.now()
        last = performance.now()
      }
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await post('/v1/webhook-endpoints', seller, { url: `http://127.0.0.1:${port}/hook`, events: ['bid.placed'] })
  const listing = await auction(seller)
  const bids = 400
  let amount = 100
  for (let i = 0; i < bids; i += 8) {
    await Promise.all(Array.from({ length: 8 }, () => post(`/v1/listings/${listing}/bids`, bidders[i % bidders.length], { maxAmount: usd((amount += 100)) }).then((r) => r.arrayBuffer())))
  }
  const placed = (await (await fetch(`${base}/v1/listings/${listing}`)).json()) as { bidCount?: number }
  const expected = placed.bidCount ?? bids
  const deadline = performance.now() + 60_000
  while (seen.size < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  server.close()
  return { received: seen.size, expected, duplicates, rate: seen.size / Math.max(0.001, (last - first) / 1000), latency: summarize(latencies) }
}

function report(rows: Row[], counted: CountedScenario[]): void {
  const header = '| scenario | rate | p50 ms | p90 ms | p99 ms | max ms | notes |'
  const lines = rows.map((r) => `| ${r.scenario} | ${r.rate} | ${fmt(r.latency.p50)} | ${fmt(r.latency.p90)} | ${fmt(r.latency.p99)} | ${fmt(r.latency.max)} | ${r.note} |`)
  const table = [header, '| --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n')
  const counts = countsTable(counted)
  console.log(`\n${table}\n\nRound trips per operation, counted (per request):\n\n${counts}\n`)
  if (only.size > 0) {
    console.log(`BENCH_ONLY=${[...only].join(',')}: a partial run, so bench/RESULTS.md is left as it was.`)
    return
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`
  const command = `BENCH_SECONDS=${seconds} BENCH_CONCURRENCY=${concurrency} BENCH_BIDDERS=${bidderCount} BENCH_WATCHERS=${watcherCount} npm run bench`
  writeFileSync(
    'bench/RESULTS.md',
    `# Bench results\n\nLatest run: ${new Date().toISOString()} on ${machine}.\n\nCommand: \`${command}\`\n\n${table}\n\n` +
      "Targets: (a) at least 80% of (c); (b) p99 at most 50 ms, or at least 80% of its ceiling (the ceiling's p99 over (b)'s); (f) oversell 0; (g) p99 at most 250 ms; (h) p50 at most 300 ms; (i) search p99 at most 30 ms; (j) risk decision p99 at most 5 ms. See bench/README.md for what each scenario does and how to read it.\n\n" +
      `## Round trips per operation, counted\n\n${counts}\n\n` +
      'Per request, counted by wrappers around the bindings in this run (BINDING_PROBE=on), not estimated: D1 statements and batches are round trips; ' +
      '"after the response" is work the request left to waitUntil. Targets: (a) 0 D1 calls per bid; (e) at most one D1 round trip per paid checkout on the ' +
      'request path and at most two calls per listing object per line; (f) 0 D1 writes per losing checkout (409 sold_out).\n',
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

const tally = (answers: Map<string, number>, answer: string) => answers.set(answer, (answers.get(answer) ?? 0) + 1)
const describeAnswers = (answers: Map<string, number>) => [...answers].map(([answer, n]) => `${answer} ×${n}`).join(', ')

/** The `code` of a problem body, or what the body was when it is not one. */
function problemCode(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown }
    return typeof body.code === 'string' ? body.code : 'no code'
  } catch {
    return text.slice(0, 40) || 'empty body'
  }
}
