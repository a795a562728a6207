import { instrumentEnv, kindOf, stubValues, withOverrides } from './instrumented-env'
import { currentSpan, currentTraceparent, tracedFetch, withSpan } from './tracing'

/**
 * A copy of `env` that carries the current trace across every hop a binding makes:
 * - a Durable Object method call becomes a client span, and goes to the object's
 *   `traced(traceparent, method, args)` (platform/traced-object.ts), which runs the method in a
 *   span of the same trace; a `fetch` (a WebSocket upgrade) carries `traceparent`, which the
 *   object continues;
 * - a queue message that is a JSON object gets the producer span's `traceparent` (when it has
 *   none of its own), which its consumer continues;
 * - D1 statements and batches become client spans.
 * Made once per raw `env` (cached), so every request and object of an isolate shares it.
 */
const copies = new WeakMap<object, Env>()

/** Objects that are not traced: the metrics store is called by the metrics of every traced call. */
const untraced = new Set(['LOCAL_METRICS'])

export function tracedEnv(env: Env): Env {
  const known = copies.get(env)
  if (known) return known
  const copy: Env = { ...env }
  for (const [name, value] of Object.entries(copy)) {
    if (untraced.has(name)) continue
    const kind = kindOf(value)
    if (kind === 'object') Reflect.set(copy, name, tracedNamespace(name, value as DurableObjectNamespace))
    else if (kind === 'queue') Reflect.set(copy, name, tracedQueue(name, value as Queue))
    else if (kind === 'd1') Reflect.set(copy, name, tracedD1(name, value as D1Database))
  }
  copies.set(env, copy)
  copies.set(copy, copy)
  return copy
}

function tracedNamespace(binding: string, ns: DurableObjectNamespace): DurableObjectNamespace {
  return withOverrides(ns, {
    get: (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => tracedStub(binding, ns.get(id, options)),
    getByName: (name: string, options?: DurableObjectNamespaceGetDurableObjectOptions) => tracedStub(binding, ns.getByName(name, options)),
    jurisdiction: (j: DurableObjectJurisdiction) => tracedNamespace(binding, ns.jurisdiction(j)),
  })
}

/** A stub whose method calls carry the trace; like the real stub it answers any name with a method. */
function tracedStub(binding: string, stub: DurableObjectStub): DurableObjectStub {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  return new Proxy(Object.create(null) as DurableObjectStub, {
    get(_, prop) {
      if (prop === 'fetch') return tracedFetch((input, init) => stub.fetch(input, init), `${binding}.fetch`)
      if (typeof prop === 'symbol' || stubValues.has(prop) || prop === 'connect') {
        const value: unknown = Reflect.get(stub, prop)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(stub) : value
      }
      if (prop === 'then') return undefined
      let method = methods.get(prop)
      if (!method) {
        const traced = Reflect.get(stub, 'traced') as (traceparent: string | null, method: string, args: unknown[]) => Promise<unknown>
        method = (...args: unknown[]) =>
          withSpan({ name: `${binding}.${prop}`, kind: 'client', attributes: { 'rpc.system': 'durable_object', 'rpc.service': binding, 'rpc.method': prop } }, () =>
            // Reflect.apply, not traced.call: `.call` on an RPC method would be a remote property of its own.
            Reflect.apply(traced, stub, [currentTraceparent() ?? null, prop, args]),
          )
        methods.set(prop, method)
      }
      return method
    },
  })
}

function tracedQueue(binding: string, queue: Queue): Queue {
  const producer = <T>(op: string, run: () => Promise<T>) =>
    withSpan({ name: `${binding} ${op}`, kind: 'producer', attributes: { 'messaging.system': 'cloudflare_queues', 'messaging.destination.name': binding } }, run)
  return withOverrides(queue, {
    send: (body: unknown, options?: QueueSendOptions) => producer('send', () => queue.send(withTrace(body), options)),
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) =>
      producer('sendBatch', () => queue.sendBatch([...messages].map((m) => ({ ...m, body: withTrace(m.body) })), options)),
  })
}

/** The message with the current span's traceparent, when it is a JSON object without one. */
function withTrace(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.hasOwn(body, 'traceparent')) return body
  if (Object.getPrototypeOf(body) !== Object.prototype) return body
  const traceparent = currentTraceparent()
  return traceparent ? { ...body, traceparent } : body
}

/** D1 statements and batches as client spans, through the same observer the binding counts use. */
function tracedD1(name: string, d1: D1Database): D1Database {
  const observed = instrumentEnv({ [name]: d1 } as unknown as Env, {
    around: (call, run) =>
      // Off any trace (module setup, tests), a statement is not worth a trace of its own.
      currentSpan() ? withSpan({ name: `d1 ${call.op}`, kind: 'client', attributes: { 'db.system': 'd1', 'db.write': call.write ?? false, ...(call.statements ? { 'db.statements': call.statements } : {}) } }, run) : run(),
  })
  return Reflect.get(observed, name) as D1Database
}
