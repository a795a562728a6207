import type { Span, SpanKind } from './span'

/**
 * Spans as an OTLP/HTTP JSON export request (`POST <collector>/v1/traces`, OpenTelemetry protocol
 * 1.x, JSON encoding): ids in hex, times in nanoseconds as decimal strings, kinds and status codes
 * as the protocol's numbers. Pure.
 */
const kindCodes: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 }
const statusCodes = { unset: 0, ok: 1, error: 2 } as const

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean }
type KeyValue = { key: string; value: AnyValue }

export type OtlpTraceRequest = {
  resourceSpans: {
    resource: { attributes: KeyValue[] }
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[]
  }[]
}

export type OtlpSpan = {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: KeyValue[]
  status: { code: number; message?: string }
}

export function otlpTraceRequest(spans: readonly Span[], resource: Record<string, string>): OtlpTraceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [{ scope: { name: 'souk' }, spans: spans.filter((s) => s.endMs !== null).map(otlpSpan) }],
      },
    ],
  }
}

function otlpSpan(s: Span): OtlpSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: kindCodes[s.kind],
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.endMs ?? s.startMs),
    attributes: keyValues(s.attributes),
    status: { code: statusCodes[s.status], ...(s.statusMessage ? { message: s.statusMessage } : {}) },
  }
}

/** Milliseconds (with fractions) as integer nanoseconds in a decimal string, exact past 2^53. */
export function nanos(ms: number): string {
  const whole = Math.floor(ms)
  const fraction = Math.round((ms - whole) * 1e6)
  return (BigInt(whole) * 1_000_000n + BigInt(fraction)).toString()
}

function keyValues(attrs: Record<string, string | number | boolean>): KeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }))
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` as the OpenTelemetry spec writes it: `key=value` pairs separated by
 * commas, values percent-encoded (`Authorization=Bearer%20abc,x-team=souk`). Malformed pairs are
 * dropped, never half-applied.
 */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=')
    if (at <= 0) continue
    const key = pair.slice(0, at).trim()
    try {
      const value = decodeURIComponent(pair.slice(at + 1).trim())
      if (/^[A-Za-z0-9-]+$/.test(key) && value) headers[key.toLowerCase()] = value
    } catch {
      // a malformed percent-escape: the pair is dropped
    }
  }
  return headers
}
