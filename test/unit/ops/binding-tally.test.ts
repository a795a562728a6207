import { describe, expect, it } from 'vitest'
import { BindingTally, countCall, noCounts, perRequest, type BindingCall } from '../../../src/ops/binding-tally'

const select: BindingCall = { binding: 'DB', kind: 'd1', op: 'statement', write: false }
const insert: BindingCall = { binding: 'DB', kind: 'd1', op: 'statement', write: true }
const writeBatch: BindingCall = { binding: 'DB', kind: 'd1', op: 'batch', statements: 3, write: true }
const readBatch: BindingCall = { binding: 'DB', kind: 'd1', op: 'batch', statements: 2, write: false }
const exec: BindingCall = { binding: 'DB', kind: 'd1', op: 'exec', write: true }
const reserve: BindingCall = { binding: 'LISTINGS', kind: 'object', op: 'reserve' }
const commit: BindingCall = { binding: 'LISTINGS', kind: 'object', op: 'commit' }
const consume: BindingCall = { binding: 'RATE_LIMITER', kind: 'object', op: 'consume' }
const send: BindingCall = { binding: 'JOBS', kind: 'queue', op: 'send' }
const sendBatch: BindingCall = { binding: 'EVENTS', kind: 'queue', op: 'sendBatch' }

describe('countCall', () => {
  it('counts statements and batches as round trips, batched statements apart, and writes by round trip', () => {
    const counts = noCounts()
    for (const call of [select, insert, writeBatch, readBatch, exec]) countCall(counts, call)
    expect(counts).toMatchObject({ d1Statements: 3, d1Batches: 2, d1BatchedStatements: 5, d1Writes: 3, objectCalls: 0, queueSends: 0 })
  })

  it('counts object calls by namespace and by method, and queue calls by queue', () => {
    const counts = noCounts()
    for (const call of [reserve, commit, reserve, consume, send, sendBatch, send]) countCall(counts, call)
    expect(counts).toEqual({
      ...noCounts(),
      objectCalls: 4,
      objects: { LISTINGS: 3, RATE_LIMITER: 1 },
      objectMethods: { 'LISTINGS.reserve': 2, 'LISTINGS.commit': 1, 'RATE_LIMITER.consume': 1 },
      queueSends: 3,
      queues: { JOBS: 2, EVENTS: 1 },
    })
  })
})

describe('perRequest', () => {
  it('divides every count, nested ones too, rounded to thousandths', () => {
    const counts = noCounts()
    for (const call of [select, select, reserve, send]) countCall(counts, call)
    expect(perRequest(counts, 3)).toEqual({
      ...noCounts(),
      d1Statements: 0.667,
      objectCalls: 0.333,
      objects: { LISTINGS: 0.333 },
      objectMethods: { 'LISTINGS.reserve': 0.333 },
      queueSends: 0.333,
      queues: { JOBS: 0.333 },
    })
  })

  it('is all zero for no requests, not a division by zero', () => {
    const counts = noCounts()
    countCall(counts, select)
    expect(perRequest(counts, 0)).toEqual(noCounts())
  })
})

describe('BindingTally', () => {
  it('keeps each operation apart and averages over its own requests', () => {
    const tally = new BindingTally()
    tally.recordRequest('POST /v1/checkout 201', [select, writeBatch, reserve, commit])
    tally.recordRequest('POST /v1/checkout 201', [select, writeBatch, reserve, commit, send])
    tally.recordRequest('POST /v1/checkout 409', [select, reserve])
    const [paid, lost, ...rest] = tally.report()
    expect(rest).toEqual([])
    expect(paid?.operation).toBe('POST /v1/checkout 201')
    expect(paid?.requests).toBe(2)
    expect(paid?.request.total).toMatchObject({ d1Statements: 2, d1Batches: 2, d1BatchedStatements: 6, d1Writes: 2, objectCalls: 4, queueSends: 1 })
    expect(paid?.request.perRequest).toMatchObject({ d1Statements: 1, d1Batches: 1, d1Writes: 1, objectCalls: 2, objects: { LISTINGS: 2 }, queueSends: 0.5 })
    expect(lost).toMatchObject({ operation: 'POST /v1/checkout 409', requests: 1, request: { perRequest: { d1Statements: 1, d1Writes: 0, objectCalls: 1 } } })
  })

  it('counts what a request does after its response in that phase, under its operation, without counting the request twice', () => {
    const tally = new BindingTally()
    tally.recordRequest('POST /v1/listings/:id/bids 201', [reserve])
    tally.recordAfterResponse('POST /v1/listings/:id/bids 201', insert)
    tally.recordAfterResponse('POST /v1/listings/:id/bids 201', send)
    const [bids] = tally.report()
    expect(bids?.requests).toBe(1)
    expect(bids?.request.total).toMatchObject({ d1Statements: 0, objectCalls: 1, queueSends: 0 })
    expect(bids?.afterResponse.total).toMatchObject({ d1Statements: 1, d1Writes: 1, objectCalls: 0, queueSends: 1 })
    expect(bids?.afterResponse.perRequest).toMatchObject({ d1Writes: 1, queueSends: 1 })
  })

  it('counts a request that made no calls, so its zero shows', () => {
    const tally = new BindingTally()
    tally.recordRequest('POST /v1/listings/:id/bids 409', [])
    expect(tally.report()).toEqual([{ operation: 'POST /v1/listings/:id/bids 409', requests: 1, request: { total: noCounts(), perRequest: noCounts() }, afterResponse: { total: noCounts(), perRequest: noCounts() } }])
  })

  it('reports a copy, sorted by operation, and forgets everything on reset', () => {
    const tally = new BindingTally()
    tally.recordRequest('POST /v1/checkout 201', [reserve])
    tally.recordRequest('GET /v1/listings/:id 200', [select])
    const report = tally.report()
    expect(report.map((o) => o.operation)).toEqual(['GET /v1/listings/:id 200', 'POST /v1/checkout 201'])
    tally.recordRequest('POST /v1/checkout 201', [reserve])
    expect(report[1]?.request.total.objects).toEqual({ LISTINGS: 1 })
    tally.reset()
    expect(tally.report()).toEqual([])
  })
})
