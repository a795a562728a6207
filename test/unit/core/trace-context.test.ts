import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { formatTraceparent, parseTraceparent, startSpan, type TraceContext } from '../../../src/core/trace-context'

// The example of the W3C Trace Context recommendation, §3.2.
const TRACE = '0af7651916cd43dd8448eb211c80319c'
const PARENT = 'b7ad6b7169203331'
const header = (version: string, trace = TRACE, parent = PARENT, flags = '01', rest = '') =>
  `${version}-${trace}-${parent}-${flags}${rest}`

describe('parseTraceparent', () => {
  it.each([
    ['the spec example, sampled', header('00'), true],
    ['not sampled', header('00', TRACE, PARENT, '00'), false],
    // Only bit 0 means "sampled"; other bits are flags this version does not define.
    ['sampled with other flag bits', header('00', TRACE, PARENT, '09'), true],
    ['other flag bits but not sampled', header('00', TRACE, PARENT, 'fe'), false],
    ['a future version with more fields', header('cc', TRACE, PARENT, '01', '-what-the-future-will-be-like'), true],
    ['a future version with exactly four fields', header('01'), true],
    ['surrounding whitespace', ` ${header('00')}\t`, true],
  ])('continues the trace for %s', (_, value, sampled) => {
    expect(parseTraceparent(value)).toEqual({ traceId: TRACE, parentSpanId: PARENT, sampled })
  })

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['version ff', header('ff')],
    ['an all-zero trace id', header('00', '0'.repeat(32))],
    ['an all-zero parent id', header('00', TRACE, '0'.repeat(16))],
    ['version 00 with a fifth field', header('00', TRACE, PARENT, '01', '-extra')],
    ['version 00 followed by a bare dash', header('00', TRACE, PARENT, '01', '-')],
    ['a future version whose flags run into other characters', header('cc', TRACE, PARENT, '01', 'x')],
    ['a trace id one character short', header('00', TRACE.slice(1))],
    ['a trace id one character long', header('00', `${TRACE}0`)],
    ['a parent id one character short', header('00', TRACE, PARENT.slice(1))],
    ['a parent id one character long', header('00', TRACE, `${PARENT}0`)],
    ['a one-character version', `0-${TRACE}-${PARENT}-01`],
    ['one-character flags', header('00', TRACE, PARENT, '1')],
    ['three-character flags', header('00', TRACE, PARENT, '001')],
    ['a non-hex trace id', header('00', `${TRACE.slice(1)}g`)],
    ['a non-hex parent id', header('00', TRACE, `${PARENT.slice(1)}z`)],
    ['a non-hex version', header('0x')],
    ['non-hex flags', header('00', TRACE, PARENT, '0g')],
    ['underscores for dashes', header('00').replaceAll('-', '_')],
    ['a missing field', `00-${TRACE}-01`],
    // W3C §3.2.2.3–4: "Vendors MUST ignore the traceparent when the parent-id is invalid (for example, if it contains
    // non-lowercase hex characters)", likewise for the trace-id; every field is HEXDIGLC.
    ['an upper-case trace id', header('00', TRACE.toUpperCase())],
    ['an upper-case parent id', header('00', TRACE, PARENT.toUpperCase())],
  ])('ignores %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined()
  })
})

describe('startSpan', () => {
  const random = Uint8Array.from({ length: 24 }, (_, i) => i + 1)
  const newTrace = '0102030405060708090a0b0c0d0e0f10'
  const newSpan = '1112131415161718'

  it('continues the caller’s trace with a span of its own, keeping the sampled flag', () => {
    expect(startSpan(header('00', TRACE, PARENT, '00'), random)).toEqual({
      traceId: TRACE,
      parentSpanId: PARENT,
      spanId: newSpan,
      sampled: false,
    })
  })

  it.each([
    ['absent', undefined],
    ['invalid', header('ff')],
  ])('starts a new sampled trace when the header is %s', (_, value) => {
    const span = startSpan(value, random)
    expect(span).toEqual({ traceId: newTrace, spanId: newSpan, sampled: true })
    expect(span).not.toHaveProperty('parentSpanId')
  })

  it('never makes an all-zero id, which no receiver would accept', () => {
    const span = startSpan(undefined, new Uint8Array(24))
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(span.traceId).not.toMatch(/^0+$/)
    expect(span.spanId).not.toMatch(/^0+$/)
    expect(parseTraceparent(formatTraceparent(span))).toBeDefined()
  })

  it('takes the new span id from bytes 16–24 and a new trace id from bytes 0–16', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), (bytes) => {
        fc.pre(bytes.subarray(0, 16).some((b) => b !== 0) && bytes.subarray(16).some((b) => b !== 0))
        const spanId = toHex(bytes.subarray(16, 24))
        expect(startSpan(header('00'), bytes)).toEqual({ traceId: TRACE, parentSpanId: PARENT, spanId, sampled: true })
        expect(startSpan(undefined, bytes)).toEqual({
          traceId: toHex(bytes.subarray(0, 16)),
          spanId,
          sampled: true,
        })
      }),
    )
  })

  it('throws a RangeError with fewer than 24 random bytes', () => {
    expect(() => startSpan(undefined, new Uint8Array(23))).toThrow(RangeError)
  })
})

describe('formatTraceparent', () => {
  it('writes version 00 with the sampled flag', () => {
    const t: TraceContext = { traceId: TRACE, spanId: PARENT, sampled: true }
    expect(formatTraceparent(t)).toBe(`00-${TRACE}-${PARENT}-01`)
    expect(formatTraceparent({ ...t, sampled: false })).toBe(`00-${TRACE}-${PARENT}-00`)
  })

  const hex = (length: number) =>
    fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((s) => !/^0+$/.test(s))

  it('round-trips through parseTraceparent: our span becomes the next hop’s parent', () => {
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        expect(parseTraceparent(formatTraceparent({ traceId, spanId, sampled }))).toEqual({
          traceId,
          parentSpanId: spanId,
          sampled,
        })
      }),
    )
  })
})
