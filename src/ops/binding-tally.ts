export type BindingKind = 'd1' | 'object' | 'queue'

/** One call on a binding, as `instrumentEnv` (platform/instrumented-env.ts) reports it. */
export type BindingCall = {
  /** The binding's name in `env`: `DB`, `LISTINGS`, `JOBS`. */
  binding: string
  kind: BindingKind
  /** D1: `statement`, `batch` or `exec`; objects: the method called (`fetch` too); queues: `send` or `sendBatch`. */
  op: string
  /** D1 only: the statement writes, or the batch holds one that does. */
  write?: boolean
  /** D1 batches only: how many statements the batch held. */
  statements?: number
}

/** Before the response was decided, or after it, in work the request left to `waitUntil`. */
export type Phase = 'request' | 'afterResponse'

export type BindingCounts = {
  /** D1 round trips of one statement each (`first`, `run`, `all`, `raw`, `exec`). */
  d1Statements: number
  /** D1 batches: one round trip each, however many statements they hold. */
  d1Batches: number
  /** The statements those batches held. */
  d1BatchedStatements: number
  /** D1 round trips (single statements and batches) that write. */
  d1Writes: number
  /** Durable Object calls (RPC methods and `fetch`). */
  objectCalls: number
  /** …by namespace binding (`LISTINGS`). */
  objects: Record<string, number>
  /** …by namespace and method (`LISTINGS.placeBid`). */
  objectMethods: Record<string, number>
  /** Queue calls (`send` and `sendBatch`, one each). */
  queueSends: number
  /** …by queue binding (`JOBS`). */
  queues: Record<string, number>
}

export type PhaseCounts = { total: BindingCounts; perRequest: BindingCounts }

/** What the requests of one operation (`POST /v1/checkout 201`) did to the bindings. */
export type OperationCounts = { operation: string; requests: number } & Record<Phase, PhaseCounts>

type Entry = { requests: number } & Record<Phase, BindingCounts>

export const noCounts = (): BindingCounts => ({
  d1Statements: 0,
  d1Batches: 0,
  d1BatchedStatements: 0,
  d1Writes: 0,
  objectCalls: 0,
  objects: {},
  objectMethods: {},
  queueSends: 0,
  queues: {},
})

const bump = (into: Record<string, number>, key: string, by = 1) => {
  into[key] = (into[key] ?? 0) + by
}

/** Adds one call to `counts`. */
export function countCall(counts: BindingCounts, call: BindingCall): void {
  if (call.kind === 'd1') {
    if (call.op === 'batch') {
      counts.d1Batches++
      counts.d1BatchedStatements += call.statements ?? 0
    } else counts.d1Statements++
    if (call.write) counts.d1Writes++
  } else if (call.kind === 'object') {
    counts.objectCalls++
    bump(counts.objects, call.binding)
    bump(counts.objectMethods, `${call.binding}.${call.op}`)
  } else {
    counts.queueSends++
    bump(counts.queues, call.binding)
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000
const scaleAll = (r: Record<string, number>, by: number) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v * by)]))

/** `counts` divided by `requests` (rounded to thousandths); all zero when there were none. */
export function perRequest(counts: BindingCounts, requests: number): BindingCounts {
  const by = requests > 0 ? 1 / requests : 0
  return {
    d1Statements: round(counts.d1Statements * by),
    d1Batches: round(counts.d1Batches * by),
    d1BatchedStatements: round(counts.d1BatchedStatements * by),
    d1Writes: round(counts.d1Writes * by),
    objectCalls: round(counts.objectCalls * by),
    objects: scaleAll(counts.objects, by),
    objectMethods: scaleAll(counts.objectMethods, by),
    queueSends: round(counts.queueSends * by),
    queues: scaleAll(counts.queues, by),
  }
}

/**
 * Binding calls counted per operation and phase. A request's calls are held until its response
 * is decided (the operation key carries the status), then recorded at once with
 * `recordRequest`; what it does afterwards in `waitUntil` goes to `recordAfterResponse`.
 *
 * @example
 * const tally = new BindingTally()
 * tally.recordRequest('POST /v1/checkout 201', [{ binding: 'DB', kind: 'd1', op: 'batch', statements: 3, write: true }])
 * tally.report()[0].request.perRequest.d1Writes // 1
 */
export class BindingTally {
  private readonly entries = new Map<string, Entry>()

  /** One request whose response was decided, with the calls it made until then. */
  recordRequest(operation: string, calls: readonly BindingCall[]): void {
    const entry = this.entry(operation)
    entry.requests++
    for (const call of calls) countCall(entry.request, call)
  }

  /** A call made after the response by a request already recorded under `operation`. */
  recordAfterResponse(operation: string, call: BindingCall): void {
    countCall(this.entry(operation).afterResponse, call)
  }

  /** Every operation seen since the last reset, by operation key. */
  report(): OperationCounts[] {
    return [...this.entries]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([operation, e]) => ({
        operation,
        requests: e.requests,
        request: { total: structuredClone(e.request), perRequest: perRequest(e.request, e.requests) },
        afterResponse: { total: structuredClone(e.afterResponse), perRequest: perRequest(e.afterResponse, e.requests) },
      }))
  }

  reset(): void {
    this.entries.clear()
  }

  private entry(operation: string): Entry {
    let entry = this.entries.get(operation)
    if (!entry) {
      entry = { requests: 0, request: noCounts(), afterResponse: noCounts() }
      this.entries.set(operation, entry)
    }
    return entry
  }
}
