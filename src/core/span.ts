import type { TraceContext } from './trace-context'

/**
 * A span of a trace, as Souk records it: what ran (`name`), in which role (OpenTelemetry's span
 * kinds), under which parent, from when to when, and whether it failed. Pure values; the tracer
 * (platform/tracing.ts) makes them and the exporter encodes them (core/otlp-traces.ts).
 */
export const spanKinds = ['internal', 'server', 'client', 'producer', 'consumer'] as const
export type SpanKind = (typeof spanKinds)[number]

export type SpanAttributes = Record<string, string | number | boolean>

export type Span = TraceContext & {
  name: string
  kind: SpanKind
  /** Epoch milliseconds (fractions allowed). */
  startMs: number
  endMs: number | null
  attributes: SpanAttributes
  status: 'unset' | 'ok' | 'error'
  /** Why it failed, when it did: an error's message, never a payload. */
  statusMessage?: string
}

/**
 * A new span: a child of `parent` (same trace, its span as parent, its sampling decision), or the
 * root of a new trace when there is none. `random` supplies the ids (24 bytes), `sampleNew` the
 * sampling decision of a new trace.
 */
export function openSpan(
  parent: Pick<TraceContext, 'traceId' | 'spanId' | 'sampled'> | undefined,
  init: { name: string; kind: SpanKind; attributes?: SpanAttributes },
  random: Uint8Array,
  startMs: number,
  sampleNew = true,
): Span {
  if (random.length < 24) throw new RangeError('needs 24 random bytes')
  const spanId = hexOf(random.subarray(16, 24))
  const base = { name: init.name, kind: init.kind, startMs, endMs: null, attributes: { ...init.attributes }, status: 'unset' as const }
  if (parent) return { ...base, traceId: parent.traceId, spanId, parentSpanId: parent.spanId, sampled: parent.sampled }
  return { ...base, traceId: hexOf(random.subarray(0, 16)), spanId, sampled: sampleNew }
}

/** The span ended at `endMs`, failed when `error` is given (its message only). */
export function closeSpan(span: Span, endMs: number, error?: unknown): Span {
  if (error === undefined) return { ...span, endMs, status: span.status === 'error' ? 'error' : 'ok' }
  const statusMessage = (error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : 'failed').slice(0, 200)
  return { ...span, endMs, status: 'error', statusMessage }
}

/** Hex of the bytes, never all zeros (W3C: an all-zero trace or span id is invalid). */
function hexOf(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex
}
