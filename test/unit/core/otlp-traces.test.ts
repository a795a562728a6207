import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nanos, otlpTraceRequest, parseOtlpHeaders } from '../../../src/core/otlp-traces'
import type { Span, SpanKind } from '../../../src/core/span'

const TRACE = '0af7651916cd43dd8448eb211c80319c'

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: TRACE,
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    sampled: true,
    name: 'work',
    kind: 'internal',
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_000_005,
    attributes: {},
    status: 'ok',
    ...over,
  }
}

const spansOf = (request: ReturnType<typeof otlpTraceRequest>) => request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))

describe('otlpTraceRequest', () => {
  it('encodes a span as OTLP/JSON: hex ids, nanosecond strings, the kind and status as numbers, under one resource and scope', () => {
    const request = otlpTraceRequest([span({ name: 'POST /v1/checkout', kind: 'server', startMs: 1_700_000_000_000.5, endMs: 1_700_000_000_012.25, attributes: { 'http.route': '/v1/checkout' } })], {
      'service.name': 'souk',
      'deployment.environment': 'test',
    })
    expect(request).toEqual({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'souk' } },
              { key: 'deployment.environment', value: { stringValue: 'test' } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'souk' },
              spans: [
                {
                  traceId: TRACE,
                  spanId: 'b7ad6b7169203331',
                  parentSpanId: '00f067aa0ba902b7',
                  name: 'POST /v1/checkout',
                  kind: 2,
                  startTimeUnixNano: '1700000000000500000',
                  endTimeUnixNano: '1700000000012250000',
                  attributes: [{ key: 'http.route', value: { stringValue: '/v1/checkout' } }],
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ],
    })
  })

  it.each([
    ['internal', 1],
    ['server', 2],
    ['client', 3],
    ['producer', 4],
    ['consumer', 5],
  ] as [SpanKind, number][])('gives kind %s the number %i', (kind, code) => {
    expect(spansOf(otlpTraceRequest([span({ kind })], {}))[0]?.kind).toBe(code)
  })

  it('gives the status codes unset 0, ok 1 and error 2, and a message only with an error', () => {
    const [unset, ok, error] = spansOf(otlpTraceRequest([span({ status: 'unset' }), span({ status: 'ok' }), span({ status: 'error', statusMessage: 'Error: card declined' })], {}))
    expect(unset?.status).toEqual({ code: 0 })
    expect(ok?.status).toEqual({ code: 1 })
    expect(error?.status).toEqual({ code: 2, message: 'Error: card declined' })
  })

  it('leaves out the parent of a root span (not an empty string)', () => {
    const { parentSpanId: _, ...fields } = span()
    const [root] = spansOf(otlpTraceRequest([fields], {}))
    expect(root).not.toHaveProperty('parentSpanId')
  })

  it('leaves out spans that have not ended, and keeps the order of the rest', () => {
    const request = otlpTraceRequest([span({ name: 'a' }), span({ name: 'open', endMs: null }), span({ name: 'b' })], {})
    expect(spansOf(request).map((s) => s.name)).toEqual(['a', 'b'])
  })

  it('still makes a valid request when nothing has ended', () => {
    expect(spansOf(otlpTraceRequest([span({ endMs: null })], { 'service.name': 'souk' }))).toEqual([])
  })

  it('types each attribute value: string, integer (as a decimal string), double and bool', () => {
    const [s] = spansOf(otlpTraceRequest([span({ attributes: { route: '/v1/x', status: 503, whole: 3.0, ratio: 0.25, negative: -7, retry: false, write: true } })], {}))
    expect(s?.attributes).toEqual([
      { key: 'route', value: { stringValue: '/v1/x' } },
      { key: 'status', value: { intValue: '503' } },
      { key: 'whole', value: { intValue: '3' } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'negative', value: { intValue: '-7' } },
      { key: 'retry', value: { boolValue: false } },
      { key: 'write', value: { boolValue: true } },
    ])
  })
})

describe('nanos', () => {
  it.each([
    [0, '0'],
    [1, '1000000'],
    [1.5, '1500000'],
    [0.000001, '1'],
    // Past 2^53 nanoseconds: the naive `String(ms * 1e6)` would print 1.7e+21 or lose digits.
    [1_700_000_000_000, '1700000000000000000'],
    [1_700_000_000_123.25, '1700000000123250000'],
    [1_700_000_000_123.75, '1700000000123750000'],
    [8_640_000_000_000_000, '8640000000000000000000'],
  ])('writes %d ms as %s ns', (ms, expected) => {
    expect(nanos(ms)).toBe(expected)
  })

  it('property: integer milliseconds are exactly ms · 10^6 nanoseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8_640_000_000_000_000 }), (ms) => {
        expect(BigInt(nanos(ms))).toBe(BigInt(Math.round(ms)) * 1_000_000n)
      }),
    )
  })

  it('property: quarter milliseconds (exact in a double) are exact; the result is always a plain decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 0, max: 3 }), (whole, quarters) => {
        const text = nanos(whole + quarters / 4)
        expect(text).toMatch(/^(0|[1-9][0-9]*)$/)
        expect(BigInt(text)).toBe(BigInt(whole) * 1_000_000n + BigInt(quarters) * 250_000n)
      }),
    )
  })

  it('property: later times never give fewer nanoseconds, and each is within a nanosecond of ms · 10^6', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e13, noNaN: true }), fc.double({ min: 0, max: 1e13, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(BigInt(nanos(lo)) <= BigInt(nanos(hi))).toBe(true)
        // Whole milliseconds are exact; the fraction is rounded to the nanosecond.
        const whole = BigInt(Math.floor(lo)) * 1_000_000n
        const fraction = Number(BigInt(nanos(lo)) - whole)
        expect(Math.abs(fraction - (lo - Math.floor(lo)) * 1e6)).toBeLessThanOrEqual(0.5)
      }),
    )
  })
})

describe('parseOtlpHeaders', () => {
  it('reads the OpenTelemetry specification’s examples', () => {
    expect(parseOtlpHeaders('api-key=key,other-config-value=value')).toEqual({ 'api-key': 'key', 'other-config-value': 'value' })
    expect(parseOtlpHeaders('Authorization=Bearer%20abc,x-team=souk')).toEqual({ authorization: 'Bearer abc', 'x-team': 'souk' })
  })

  it('gives nothing for no text, empty text or only commas', () => {
    expect(parseOtlpHeaders(undefined)).toEqual({})
    expect(parseOtlpHeaders('')).toEqual({})
    expect(parseOtlpHeaders(' , ,')).toEqual({})
  })

  it('percent-decodes values, keeps an = inside a value, and trims the space around pairs', () => {
    expect(parseOtlpHeaders(' x-api-key = a%2Cb%3Dc%25 , authorization=Basic dXNlcjpwYXNz==')).toEqual({ 'x-api-key': 'a,b=c%', authorization: 'Basic dXNlcjpwYXNz==' })
  })

  it('lower-cases keys, the last of two spellings winning', () => {
    expect(parseOtlpHeaders('X-Honeycomb-Team=one,x-honeycomb-team=two')).toEqual({ 'x-honeycomb-team': 'two' })
  })

  it.each([
    ['no equals sign', 'novalue'],
    ['an empty key', '=value'],
    ['an empty value', 'key='],
    ['a key with a space inside', 'bad key=v'],
    ['a key that is not a header token', 'k:ey=v'],
    ['a malformed percent-escape', 'k=%zz'],
    ['a truncated percent-escape', 'k=abc%2'],
  ])('drops a pair with %s and keeps the good ones', (_, bad) => {
    expect(parseOtlpHeaders(`good=1,${bad},also-good=2`)).toEqual({ good: '1', 'also-good': '2' })
  })
})
