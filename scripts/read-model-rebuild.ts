import { parseArgs } from 'node:util'

/**
 * `npm run read-model:rebuild`: rebuilds the search read model of a running Souk from its listing
 * objects and waits until it is done (docs/OPERATIONS.md "The read model").
 *
 *   npm run read-model:rebuild                         the local Souk of `npm start`, as the demo admin
 *   npm run read-model:rebuild -- --url https://souk.example   with SOUK_TOKEN, an admin's token
 *   npm run read-model:rebuild -- --no-wait            start it and print where to follow it
 *   npm run read-model:rebuild -- --from-scratch       empty the read model first (listings, their
 *                                                      search index, offers; never the registry)
 *
 * The URL comes from --url, else SOUK_URL, else http://127.0.0.1:$PORT (8787). The credential is
 * SOUK_TOKEN, else a login as SOUK_EMAIL with SOUK_PASSWORD; on a loopback URL these default to the
 * demo admin that `npm start` seeds. If a rebuild is already running, this follows that one.
 * Exits 0 when the rebuild is done, 1 if it was abandoned or refused, 2 on a usage error.
 */
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'no-wait': { type: 'boolean', default: false },
    'from-scratch': { type: 'boolean', default: false },
    'interval-seconds': { type: 'string', default: '2' },
  },
})

type Rebuild = { id: string; status: 'running' | 'done' | 'abandoned'; fromScratch: boolean; phase: 'clearing_listings' | 'clearing_offers' | 'walking'; cleared: number; total: number; processed: number; missing: number; startedAt: string; finishedAt: string | null }

const base = (values.url ?? process.env.SOUK_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8787'}`).replace(/\/+$/, '')
const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(base).hostname)
const intervalMs = Math.max(0.2, Number(values['interval-seconds'])) * 1000

function fail(message: string, code = 1): never {
  console.error(message)
  process.exit(code)
}

async function token(): Promise<string> {
  if (process.env.SOUK_TOKEN) return process.env.SOUK_TOKEN
  const email = process.env.SOUK_EMAIL ?? (loopback ? 'admin@souk.test' : undefined)
  const password = process.env.SOUK_PASSWORD ?? (loopback ? 'souk-admin-dev-only' : undefined)
  if (!email || !password) fail(`${base} is not local: set SOUK_TOKEN (an admin's token), or SOUK_EMAIL and SOUK_PASSWORD`, 2)
  const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  if (!res.ok) fail(`login as ${email} answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { token: string }).token
}

const auth = { authorization: `Bearer ${await token()}` }

const fromScratch = values['from-scratch']
const started = await fetch(`${base}/v1/admin/read-model/rebuild`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify(fromScratch ? { fromScratch: true } : {}),
})
let location: string
if (started.status === 202) {
  const rebuild = (await started.json()) as Rebuild
  location = started.headers.get('location') ?? `/v1/admin/read-model/rebuilds/${rebuild.id}`
  console.log(`Started rebuild ${rebuild.id} of ${rebuild.total} registered listings${rebuild.fromScratch ? ', emptying the read model first' : ''}.`)
} else if (started.status === 409) {
  const problem = (await started.json()) as { rebuildId?: string }
  location = started.headers.get('location') ?? `/v1/admin/read-model/rebuilds/${problem.rebuildId ?? ''}`
  console.log(`A rebuild is already running (${problem.rebuildId ?? '?'}); following it${fromScratch ? ' (it may not be from scratch: run this again once it is done)' : ''}.`)
} else {
  fail(`POST /v1/admin/read-model/rebuild answered ${started.status}: ${await started.text()}`)
}

if (values['no-wait']) {
  console.log(`Follow it: GET ${base}${location}`)
  process.exit(0)
}

let last = ''
for (;;) {
  const res = await fetch(`${base}${location}`, { headers: auth })
  if (!res.ok) fail(`GET ${location} answered ${res.status}: ${await res.text()}`)
  const r = (await res.json()) as Rebuild
  const line =
    r.phase === 'walking'
      ? `${r.status}: ${r.processed} of ~${r.total} listings applied, ${r.missing} registered without a listing`
      : `${r.status}: clearing the read model (${r.phase === 'clearing_listings' ? 'listings' : 'offers'}), ${r.cleared} rows removed`
  if (line !== last) console.log(line)
  last = line
  if (r.status === 'done') process.exit(0)
  if (r.status === 'abandoned') fail(`Rebuild ${r.id} was abandoned: look for job_failed lines with its rebuildId, and souk-jobs-dlq; then run this again.`)
  await new Promise((resolve) => setTimeout(resolve, intervalMs))
}
