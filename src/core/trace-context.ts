/**
 * W3C Trace Context (`traceparent`): continue the caller's trace or start one.
 * Pure: the caller passes the random bytes for new ids.
 */
export type TraceContext = {
  /** 32 lower-case hex characters, shared by every span of one trace. */
  traceId: string
  /** 16 hex characters: this request's own span. */
  spanId: string
  /** The caller's span, when the trace was continued. */
  parentSpanId?: string
  sampled: boolean
}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** Parses a `traceparent` header; undefined when absent or invalid (then a new trace starts). */
export function parseTraceparent(header: string | undefined): Omit<TraceContext, 'spanId'> | undefined {
  if (!header) return undefined
  // Upper-case hex is invalid (W3C Trace Context §3.2.2.1): such a header starts a new trace.
  const match = traceparentPattern.exec(header.trim())
  if (!match) return undefined
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined]
  if (version === 'ff') return undefined
  if (version === '00' && rest !== undefined) return undefined // version 00 has exactly four fields
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined
  return { traceId, parentSpanId, sampled: (parseInt(flags, 16) & 1) === 1 }
}

/** This request's trace context: the caller's trace with a new span, or a new sampled trace. */
export function startSpan(header: string | undefined, random: Uint8Array): TraceContext {
  if (random.length < 24) throw new RangeError('needs 24 random bytes')
  const spanId = nonZeroHex(random.subarray(16, 24))
  const parent = parseTraceparent(header)
  if (parent) return { ...parent, spanId }
  return { traceId: nonZeroHex(random.subarray(0, 16)), spanId, sampled: true }
}

export function formatTraceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.sampled ? '01' : '00'}`
}

function nonZeroHex(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex
}
