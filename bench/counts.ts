import type { BindingCounts, OperationCounts } from '../src/ops/binding-tally.ts'

/**
 * The bench's side of the binding probe: Souk runs with `BINDING_PROBE=on`, so every /v1 request's
 * D1 round trips, Durable Object calls and queue sends are counted by wrappers around the
 * bindings (src/platform/instrumented-env.ts), per operation (`POST /v1/checkout 201`). Each
 * scenario clears the counts before it starts and takes them when it ends; the report prints
 * them per request, on the request path and after the response, beside the targets.
 */
export type CountedScenario = { scenario: string; keys: string[]; operations: OperationCounts[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function bindingCounts(base: string) {
  const read = async (reset: boolean): Promise<OperationCounts[]> => {
    const res = await fetch(`${base}/v1/dev/binding-counts${reset ? '?reset=1' : ''}`)
    if (res.status !== 200) throw new Error(`GET /v1/dev/binding-counts answered ${res.status}: is Souk running with BINDING_PROBE=on?`)
    return ((await res.json()) as { data: OperationCounts[] }).data
  }
  return {
    /** Forgets what was counted so far (warm-ups, set-up, the previous scenario's stragglers). */
    async reset(): Promise<void> {
      await read(true)
    },
    /**
     * The counts of `keys` since the last reset, once work the requests left to `waitUntil` has
     * stopped landing (two reads 250 ms apart agree, or 5 s passed); then clears them.
     */
    async take(scenario: string, keys: string[]): Promise<CountedScenario> {
      const mine = (ops: OperationCounts[]) => ops.filter((o) => keys.includes(o.operation))
      let last = ''
      const deadline = performance.now() + 5000
      while (performance.now() < deadline) {
        const now = JSON.stringify(mine(await read(false)))
        if (now === last) break
        last = now
        await sleep(250)
      }
      return { scenario, keys, operations: mine(await read(true)) }
    },
  }
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2))
const byName = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ')
const d1RoundTrips = (c: BindingCounts) => c.d1Statements + c.d1Batches
const objects = (c: BindingCounts) => (c.objectCalls ? `${num(c.objectCalls)} (${byName(c.objects)})` : '0')
const queues = (c: BindingCounts) => (c.queueSends ? `${num(c.queueSends)} (${byName(c.queues)})` : '0')

function afterResponse(c: BindingCounts): string {
  const parts = [
    d1RoundTrips(c) ? `D1 ${num(c.d1Statements)} stmt + ${num(c.d1Batches)} batch, ${num(c.d1Writes)} writing` : '',
    c.objectCalls ? `objects ${objects(c)}` : '',
    c.queueSends ? `queue ${queues(c)}` : '',
  ].filter(Boolean)
  return parts.length ? parts.join('; ') : '0'
}

/**
 * The targets, judged on the counts: (a) no D1 call for a bid, before or after its
 * response; (e) at most one D1 round trip per paid checkout on the request path and at most two
 * listing-object calls per line (the bench's checkouts have one line); (f) no D1 write for a
 * checkout that lost (409), before or after its response.
 */
function target(scenario: string, op: OperationCounts): string {
  const req = op.request.perRequest
  const after = op.afterResponse.perRequest
  const judge = (label: string, value: number, max: number) => `${label}: ${value <= max ? 'met' : 'MISSED'} (${num(value)})`
  if (scenario.startsWith('(a)') && op.operation.startsWith('POST /v1/listings/:id/bids')) return judge('0 D1 calls per bid', d1RoundTrips(req) + d1RoundTrips(after), 0)
  if (scenario.startsWith('(e)') && op.operation === 'POST /v1/checkout 201') {
    return `${judge('≤ 1 D1 round trip on the request path', d1RoundTrips(req), 1)}; ${judge('≤ 2 listing-object calls per line', req.objects.LISTINGS ?? 0, 2)}`
  }
  if (scenario.startsWith('(f)') && op.operation === 'POST /v1/checkout 409') return judge('0 D1 writes per losing checkout', req.d1Writes + after.d1Writes, 0)
  return ''
}

/** The second table of RESULTS.md: per scenario and operation, calls per request. */
export function countsTable(scenarios: CountedScenario[]): string {
  const header =
    '| scenario | operation | requests | D1 statements | D1 batches (statements in them) | D1 writes | object calls (by namespace) | queue sends | after the response | target |'
  const lines = scenarios.flatMap(({ scenario, keys, operations }) =>
    keys.map((key) => {
      const op = operations.find((o) => o.operation === key)
      if (!op) return `| ${scenario} | \`${key}\` | 0 | | | | | | | |`
      const c = op.request.perRequest
      return (
        `| ${scenario} | \`${key}\` | ${op.requests} | ${num(c.d1Statements)} | ${num(c.d1Batches)} (${num(c.d1BatchedStatements)}) | ${num(c.d1Writes)} | ` +
        `${objects(c)} | ${queues(c)} | ${afterResponse(op.afterResponse.perRequest)} | ${target(scenario, op)} |`
      )
    }),
  )
  return [header, '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n')
}
