import { DurableObject } from 'cloudflare:workers'
import { metricsSinkOf } from '../ops/metrics-adapters'
import { tracedEnv } from './traced-env'
import { traceInvocation, type Invocation } from './tracing'

/** Names `traced` never dispatches to: the object's lifecycle, not its RPC surface. */
const notMethods = new Set(['constructor', 'traced', 'fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'])

/**
 * A Durable Object whose calls and alarms are spans of the trace that caused them. The traced
 * env's stubs (platform/traced-env.ts) call `traced(traceparent, method, args)` instead of the
 * method itself; it runs the method as a server span under the caller's span, so every log line
 * written inside carries the caller's trace id. The object's own env is traced too, so what it
 * calls in turn (other objects, queues, D1) stays in the same trace. Its alarm is the root of a
 * trace of its own (what it sends on, like the outbox's events, carries its own trace). Each call
 * is also a metric point of `<Class>.<method>`.
 */
export abstract class TracedObject extends DurableObject<Env> {
  private readonly invocation: Invocation

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, tracedEnv(env))
    this.invocation = { env: this.env, waitUntil: (p) => ctx.waitUntil(p) }
    const alarm = Reflect.get(this, 'alarm') as ((info?: AlarmInvocationInfo) => Promise<void>) | undefined
    if (typeof alarm === 'function') {
      // The runtime calls the instance's `alarm`: this one runs the subclass's in a span.
      Object.defineProperty(this, 'alarm', {
        value: (info?: AlarmInvocationInfo) => traceInvocation(this.invocation, { name: `${this.objectName}.alarm`, kind: 'internal', attributes: { 'alarm.retry': info?.isRetry ?? false } }, () => alarm.call(this, info)),
      })
    }
  }

  /** The class's name as spans and metrics show it. */
  protected get objectName(): string {
    return this.constructor.name
  }

  /** The RPC entry of a traced call: `method` with `args`, in a span under `traceparent`. */
  async traced(traceparent: string | null, method: string, args: unknown[]): Promise<unknown> {
    const fn: unknown = notMethods.has(method) || method.startsWith('_') ? undefined : Reflect.get(this, method)
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
