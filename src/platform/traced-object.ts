import { DurableObject } from 'cloudflare:workers'
import { metricsSinkOf } from '../ops/metrics-adapters'
import { tracedEnv } from './traced-env'
import { traceInvocation, type Invocation, type SpanInit } from './tracing'

/** Names `traced` never dispatches to: the object's lifecycle, not its RPC surface. */
const notMethods = new Set(['constructor', 'traced', 'fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'])

/**
 * A Durable Object whose calls and alarms are spans of the trace that caused them. The traced
 * env's stubs (platform/traced-env.ts) call `traced(traceparent, method, args)` instead of the
 * method itself; it runs the method as a server span under the caller's span, so every log line
 * written inside carries the caller's trace id. The object's own env is traced too, so what it
 * calls in turn (other objects, queues, D1) stays in the same trace. Its alarm and socket
 * messages are the roots of traces of their own (what the alarm sends on, like the outbox's
 * events, carries its own trace). Each call is also a metric point of `<Class>.<method>`.
 */
export abstract class TracedObject extends DurableObject<Env> {
  private readonly invocation: Invocation

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, tracedEnv(env))
    this.invocation = { env: this.env, waitUntil: (p) => ctx.waitUntil(p) }
    // The runtime calls the instance's own handlers: these run the subclass's in a span each, so
    // their log lines carry a trace id too. A fetch (a WebSocket upgrade) continues the caller's
    // trace from its `traceparent` header; an alarm or a socket message starts one of its own.
    this.traceHandler('alarm', (info: AlarmInvocationInfo | undefined) => ({ kind: 'internal', attributes: { 'alarm.retry': info?.isRetry ?? false } }))
    this.traceHandler('fetch', (request: Request) => ({ kind: 'server', traceparent: request.headers.get('traceparent') }))
    for (const handler of ['webSocketMessage', 'webSocketClose', 'webSocketError']) this.traceHandler(handler, () => ({ kind: 'internal' }))
  }

  private traceHandler<A>(name: string, init: (arg: A) => Omit<SpanInit, 'name'> & { traceparent?: string | null }): void {
    const handler: unknown = Reflect.get(this, name)
    if (typeof handler !== 'function') return
    Object.defineProperty(this, name, {
      value: (arg: A, ...rest: unknown[]) => traceInvocation(this.invocation, { name: `${this.objectName}.${name}`, ...init(arg) }, () => Promise.resolve(Reflect.apply(handler, this, [arg, ...rest]))),
    })
  }

  /** The class's name as spans and metrics show it. */
  protected get objectName(): string {
    return this.constructor.name
  }

  /** The RPC entry of a traced call: `method` with `args`, in a span under `traceparent`. */
  async traced(traceparent: string | null, method: string, args: unknown[]): Promise<unknown> {
    const fn: unknown = notMethods.has(method) || method.startsWith('_') || method in Object.prototype ? undefined : Reflect.get(this, method)
    if (typeof fn !== 'function') throw new TypeError(`${this.objectName} has no method ${method}`)
    const name = `${this.objectName}.${method}`
    const started = Date.now()
    // Each method is a metric point too (rate, errors and duration per object method).
    const record = (error: boolean) => metricsSinkOf(this.env, this.invocation.waitUntil).record({ kind: 'object', name, error, durationMs: Date.now() - started, at: started })
    try {
      const result: unknown = await traceInvocation(this.invocation, { name, kind: 'server', traceparent, attributes: { 'rpc.system': 'durable_object', 'rpc.method': method } }, () => Promise.resolve(Reflect.apply(fn, this, args)))
      record(false)
      return result
    } catch (err) {
      record(true)
      throw err
    }
  }
}
