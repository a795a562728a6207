import { z } from 'zod'
import { otlpTraceRequest, parseOtlpHeaders } from '../core/otlp-traces'
import type { Span } from '../core/span'

/**
 * Sends finished spans to an OpenTelemetry collector over OTLP/HTTP (JSON), when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` names one (`OTEL_EXPORTER_OTLP_HEADERS`, a secret, adds e.g. its
 * API key). Spans are buffered per isolate and leave together shortly after they end, inside the
 * `waitUntil` of the invocation that ended them; an export that fails is dropped with one warning
 * line (tracing never fails or slows what it observes).
 */
export interface SpanExporter {
  add(span: Span, waitUntil: (p: Promise<unknown>) => void): void
  /** Sends what is buffered now. */
  flush(): Promise<void>
}

const TracingVars = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional().or(z.literal('')),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  ENVIRONMENT: z.string().default('production'),
})

/** Spans gathered before a send, and the most one send takes. */
const FLUSH_DELAY_MS = 25
const MAX_BATCH = 512
const MAX_BUFFERED = 4096

const byEnv = new WeakMap<object, SpanExporter | null>()
const byEndpoint = new Map<string, SpanExporter>()

export function exporterOf(env: object): SpanExporter | null {
  // A request made without bindings (app.request in a unit test) exports nothing.
  if (typeof env !== 'object' || env === null) return null
  const known = byEnv.get(env)
  if (known !== undefined) return known
  const vars = TracingVars.safeParse(env)
  const endpoint = vars.success ? vars.data.OTEL_EXPORTER_OTLP_ENDPOINT : undefined
  let exporter: SpanExporter | null = null
  if (vars.success && endpoint) {
    const key = `${endpoint}|${vars.data.OTEL_EXPORTER_OTLP_HEADERS ?? ''}`
    exporter = byEndpoint.get(key) ?? otlpExporter(endpoint, parseOtlpHeaders(vars.data.OTEL_EXPORTER_OTLP_HEADERS), { 'service.name': 'souk', 'deployment.environment': vars.data.ENVIRONMENT })
    byEndpoint.set(key, exporter)
  }
  byEnv.set(env, exporter)
  return exporter
}

export function otlpExporter(endpoint: string, headers: Record<string, string>, resource: Record<string, string>, send: typeof fetch = (...a) => fetch(...a)): SpanExporter {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`
  let buffer: Span[] = []
  let scheduled = false
  let lastWarning = 0
  const flush = async (): Promise<void> => {
    scheduled = false
    while (buffer.length > 0) {
      const spans = buffer.slice(0, MAX_BATCH)
      buffer = buffer.slice(MAX_BATCH)
      try {
        const res = await send(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(otlpTraceRequest(spans, resource)) })
        await res.body?.cancel()
        if (!res.ok) throw new Error(`collector answered ${res.status}`)
      } catch (err) {
        // One line a minute at most: a collector that is down must not flood the logs.
        if (Date.now() - lastWarning > 60_000) {
          lastWarning = Date.now()
          console.warn(JSON.stringify({ service: 'souk', level: 'warn', msg: 'trace_export_failed', spans: spans.length, err: err instanceof Error ? err.message : String(err) }))
        }
      }
    }
  }
  return {
    add(span, waitUntil) {
      if (buffer.length >= MAX_BUFFERED) buffer.shift()
      buffer.push(span)
      if (scheduled) return
      scheduled = true
      waitUntil(new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS)).then(flush))
    },
    flush,
  }
}
