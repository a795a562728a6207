import { AsyncLocalStorage } from 'node:async_hooks'
import { closeSpan, openSpan, type Span, type SpanAttributes, type SpanKind } from '../core/span'
import { formatTraceparent, parseTraceparent } from '../core/trace-context'
import { exporterOf, type SpanExporter } from './otlp-exporter'

/**
 * The tracer: which span is current, carried through every await by AsyncLocalStorage, so a
 * Durable Object call, a queue send or an outbound fetch made anywhere below a request (or a
 * consumer's message, or an object's method) knows its parent without being told. Spans that end
 * are handed to the exporter of the invocation they belong to (OTLP/HTTP when a collector is
 * configured; otherwise they only name the trace in log lines).
 */
type Scope = { holder: { span: Span }; invocation: Invocation }

/** What an invocation (a request, a queue batch, an object's call or alarm) gives its spans. */
export type Invocation = { env: object; waitUntil: (p: Promise<unknown>) => void }

const scopes = new AsyncLocalStorage<Scope>()

export type SpanInit = { name: string; kind: SpanKind; attributes?: SpanAttributes }

export const currentSpan = (): Span | undefined => scopes.getStore()?.holder.span

/** The current span as a W3C `traceparent`, to hand to whatever is called next. */
export function currentTraceparent(): string | undefined {
  const span = currentSpan()
  return span ? formatTraceparent(span) : undefined
}

/** `{ traceparent }` for an outbound request's headers, or nothing outside a trace. */
export function traceHeader(): { traceparent?: string } {
  const traceparent = currentTraceparent()
  return traceparent ? { traceparent } : {}
}

/** The ids log lines carry: the trace and the span they were written in. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const span = currentSpan()
  return span ? { traceId: span.traceId, spanId: span.spanId } : {}
}

/** Adds attributes to the current span, or renames it (a server span learns its route late). */
export function annotateSpan(update: { name?: string; attributes?: SpanAttributes; error?: string }): void {
  const scope = scopes.getStore()
  if (!scope) return
  const s = scope.holder.span
  scope.holder.span = {
    ...s,
    name: update.name ?? s.name,
    attributes: { ...s.attributes, ...update.attributes },
    ...(update.error ? { status: 'error' as const, statusMessage: update.error.slice(0, 200) } : {}),
  }
}

/**
 * Runs `fn` in a new span that begins an invocation: the child of `traceparent` when it is a
 * valid one (the caller's span, across an RPC, a queue or a network hop), else of the current
 * span, else the root of a new trace.
 */
export function traceInvocation<T>(invocation: Invocation, init: SpanInit & { traceparent?: string | null }, fn: () => Promise<T>): Promise<T> {
  const remote = parseTraceparent(init.traceparent ?? undefined)
  const parent = remote && init.traceparent ? { traceId: remote.traceId, spanId: remote.parentSpanId ?? '', sampled: remote.sampled } : currentSpan()
  return run(openSpan(parent, init, crypto.getRandomValues(new Uint8Array(24)), now()), invocation, fn)
}

/**
 * Runs `fn` in a child of the current span, or of `traceparent` when it is a valid one (a queue
 * message's producer, inside a consumer's batch). Outside any invocation it just runs `fn`.
 */
export function withSpan<T>(init: SpanInit & { traceparent?: string | null }, fn: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore()
  if (!scope) return fn()
  return traceInvocation(scope.invocation, init, fn)
}

/** The `traceparent` a queue message carries (producers add it: platform/traced-env.ts), if any. */
export function traceparentOf(body: unknown): string | undefined {
  const value: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'traceparent') : undefined
  return typeof value === 'string' ? value : undefined
}

async function run<T>(span: Span, invocation: Invocation, fn: () => Promise<T>): Promise<T> {
  const holder = { span }
  try {
    const result = await scopes.run({ holder, invocation }, fn)
    finish(closeSpan(holder.span, now()), invocation)
    return result
  } catch (err) {
    // closeSpan reads no error as success: a rejection without a reason (`Promise.reject()`) still failed.
    finish(closeSpan(holder.span, now(), err ?? 'failed'), invocation)
    throw err
  }
}

function finish(span: Span, invocation: Invocation): void {
  if (!span.sampled) return
  const exporter: SpanExporter | null = exporterOf(invocation.env)
  exporter?.add(span, invocation.waitUntil)
}

// Workers advance the clock at I/O only, which is what a span's edges are made of.
const now = (): number => Date.now()

/**
 * `fetchFn` as a client span of the current trace that tells the server the trace
 * (`traceparent`): the providers Souk calls (notifications, payments) show up in its traces, and
 * those that trace continue them.
 */
export function tracedFetch(fetchFn: typeof fetch, name: string): typeof fetch {
  return (input, init) =>
    withSpan({ name, kind: 'client' }, async () => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
      const traceparent = currentTraceparent()
      if (traceparent) headers.set('traceparent', traceparent)
      const res = await fetchFn(input, { ...init, headers })
      annotateSpan({ attributes: { 'http.response.status_code': res.status }, ...(res.status >= 500 ? { error: `status ${res.status}` } : {}) })
      return res
    })
}
