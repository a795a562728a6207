import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { closeSpan, openSpan, spanKinds, type Span } from '../../../src/core/span'

const PARENT = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: false }
const bytes = (fill: number, length = 24) => new Uint8Array(length).fill(fill)
const random24 = fc.uint8Array({ minLength: 24, maxLength: 24 })

describe('openSpan', () => {
  it('makes a child in the parent’s trace, under the parent’s span, with the parent’s sampling', () => {
    const random = Uint8Array.from({ length: 24 }, (_, i) => i + 1)
    const span = openSpan(PARENT, { name: 'LISTINGS.placeBid', kind: 'client', attributes: { 'rpc.method': 'placeBid' } }, random, 1234.5)
    expect(span).toEqual({
      traceId: PARENT.traceId,
      spanId: toHex(random.subarray(16, 24)),
      parentSpanId: PARENT.spanId,
      sampled: false,
      name: 'LISTINGS.placeBid',
      kind: 'client',
      startMs: 1234.5,
      endMs: null,
      attributes: { 'rpc.method': 'placeBid' },
      status: 'unset',
    })
  })

  it('makes the root of a new trace from the random bytes when there is no parent, sampled as asked', () => {
    const random = Uint8Array.from({ length: 24 }, (_, i) => 0xf0 + (i % 16))
    const root = openSpan(undefined, { name: 'GET /v1/listings', kind: 'server' }, random, 0)
    expect(root.traceId).toBe(toHex(random.subarray(0, 16)))
    expect(root.spanId).toBe(toHex(random.subarray(16, 24)))
    expect(root).not.toHaveProperty('parentSpanId')
    expect(root.sampled).toBe(true)
    expect(openSpan(undefined, { name: 'x', kind: 'internal' }, random, 0, false).sampled).toBe(false)
  })

  it('never makes an all-zero trace or span id, even from zero bytes', () => {
    const root = openSpan(undefined, { name: 'x', kind: 'internal' }, bytes(0), 0)
    expect(root.traceId).toBe(`${'0'.repeat(31)}1`)
    expect(root.spanId).toBe(`${'0'.repeat(15)}1`)
    expect(openSpan(PARENT, { name: 'x', kind: 'internal' }, bytes(0), 0).spanId).toBe(`${'0'.repeat(15)}1`)
  })

  it('copies the attributes, so changing the caller’s object later does not change the span', () => {
    const attributes: Record<string, string> = { a: '1' }
    const span = openSpan(undefined, { name: 'x', kind: 'internal', attributes }, bytes(7), 0)
    attributes.a = 'changed'
    expect(span.attributes).toEqual({ a: '1' })
  })

  it('needs 24 random bytes', () => {
    expect(() => openSpan(undefined, { name: 'x', kind: 'internal' }, bytes(1, 23), 0)).toThrow(RangeError)
    expect(() => openSpan(PARENT, { name: 'x', kind: 'internal' }, bytes(1, 23), 0)).toThrow(RangeError)
  })

  it('property: ids are lower-case hex of 32 and 16 characters, never all zeros; a child keeps the trace', () => {
    fc.assert(
      fc.property(random24, random24, fc.constantFrom(...spanKinds), fc.boolean(), (a, b, kind, sampled) => {
        const root = openSpan(undefined, { name: 'r', kind }, a, 0, sampled)
        const child = openSpan(root, { name: 'c', kind }, b, 1)
        for (const s of [root, child]) {
          expect(s.traceId).toMatch(/^[0-9a-f]{32}$/)
          expect(s.spanId).toMatch(/^[0-9a-f]{16}$/)
          expect(s.traceId).not.toMatch(/^0+$/)
          expect(s.spanId).not.toMatch(/^0+$/)
        }
        expect(root.sampled).toBe(sampled)
        expect(child).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, sampled, kind })
      }),
    )
  })
})

describe('closeSpan', () => {
  const open = (): Span => openSpan(PARENT, { name: 'work', kind: 'internal' }, bytes(9), 10)

  it('ends a span that did not fail as ok, at the given time, leaving the open span as it was', () => {
    const span = open()
    const closed = closeSpan(span, 25.25)
    expect(closed).toEqual({ ...span, endMs: 25.25, status: 'ok' })
    expect(closed).not.toHaveProperty('statusMessage')
    expect(span.endMs).toBeNull()
  })

  it('ends a failed span as error, with the error’s name and message only (no stack, no other fields)', () => {
    const err = Object.assign(new TypeError('card declined'), { payload: { card: '4242424242424242' } })
    const closed = closeSpan(open(), 30, err)
    expect(closed.status).toBe('error')
    expect(closed.statusMessage).toBe('TypeError: card declined')
    expect(JSON.stringify(closed)).not.toContain('4242')
    expect(JSON.stringify(closed)).not.toContain('span.test')
  })

  it.each([
    ['a string', 'gateway timeout', 'gateway timeout'],
    ['something else', { code: 42 }, 'failed'],
    ['null', null, 'failed'],
  ])('names a thrown %s', (_, thrown, message) => {
    expect(closeSpan(open(), 30, thrown)).toMatchObject({ status: 'error', statusMessage: message })
  })

  it('truncates the message to 200 characters', () => {
    expect(closeSpan(open(), 30, new Error('x'.repeat(500))).statusMessage).toBe(`Error: ${'x'.repeat(193)}`)
    expect(closeSpan(open(), 30, 'y'.repeat(201)).statusMessage).toBe('y'.repeat(200))
  })

  it('keeps an error status set while the span ran (a 5xx answer), with its message', () => {
    const failed: Span = { ...open(), status: 'error', statusMessage: 'status 503' }
    expect(closeSpan(failed, 40)).toMatchObject({ endMs: 40, status: 'error', statusMessage: 'status 503' })
  })

  it('property: the message is never longer than 200 characters, and a span always ends where it was told', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.double({ min: 0, max: 4e12, noNaN: true }), (message, end) => {
        const closed = closeSpan(open(), end, new Error(message))
        expect(closed.statusMessage?.length).toBeLessThanOrEqual(200)
        expect(closed.statusMessage).toBe(`Error: ${message}`.slice(0, 200))
        expect(closed.endMs).toBe(end)
      }),
    )
  })
})
