import type { BindingCall, BindingKind } from '../ops/binding-tally'
import { writesData } from '../ops/sql-writes'

export type { BindingCall, BindingKind } from '../ops/binding-tally'

/**
 * Hooks around every call `instrumentEnv` observes. `before` runs before the real call: if it
 * throws, the call does not happen (a fault injected before). `after` runs once the call has
 * succeeded: if it throws, the effect happened but the caller sees the error (an answer lost).
 */
export type BindingProbe = {
  before?(call: BindingCall): void | Promise<void>
  after?(call: BindingCall): void | Promise<void>
  /** Runs the call (between `before` and `after`), e.g. inside a span of its own. */
  around?<T>(call: BindingCall, run: () => Promise<T>): Promise<T>
}

/** A name no binding has: only an RPC stub (a service binding) answers it, as it answers any name. */
const NO_SUCH_MEMBER = '__souk_no_such_member__'

/**
 * A copy of `env` whose D1 databases, Durable Object namespaces and queues report each call to
 * `probe`; every other value is passed through untouched. Bindings are found by what they are,
 * not by name, so a new one is covered:
 * - D1 (`prepare` and `batch`): one call per statement executed (`first`, `run`, `all`, `raw`:
 *   op `statement`), per `batch` (op `batch`, with `statements`) and per `exec`; `write` when the
 *   SQL writes (a batch: when one of its statements does). Drizzle works on top (`database()`).
 * - Durable Object namespaces (`idFromName` and `get`): the stubs of `get` and `getByName` report
 *   each RPC method call and `fetch` (op: the method). Ids pass through; `jurisdiction()` gives
 *   a namespace observed the same way. Stubs are not thenable; promise pipelining is not kept.
 * - Queues (`send` and `sendBatch`): one call each.
 *
 * Each wrapper is made once per call of `instrumentEnv`: the copy is stable for a request.
 *
 * @example
 * let writes = 0
 * const env2 = instrumentEnv(env, { before: (call) => { if (call.write) writes++ } })
 * await env2.DB.prepare('INSERT INTO t (x) VALUES (1)').run() // writes === 1
 */
export function instrumentEnv(env: Env, probe: BindingProbe): Env {
  const copy: Env = { ...env }
  for (const [name, value] of Object.entries(copy)) {
    const kind = kindOf(value)
    if (kind === 'd1') Reflect.set(copy, name, observedD1(name, value as D1Database, probe))
    else if (kind === 'object') Reflect.set(copy, name, observedNamespace(name, value as DurableObjectNamespace, probe))
    else if (kind === 'queue') Reflect.set(copy, name, observedQueue(name, value as Queue, probe))
  }
  return copy
}

export function kindOf(value: unknown): BindingKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const has = (...names: string[]) => names.every((n) => typeof Reflect.get(value, n) === 'function')
  if (has(NO_SUCH_MEMBER)) return undefined
  if (has('prepare', 'batch')) return 'd1'
  if (has('idFromName', 'get')) return 'object'
  if (has('send', 'sendBatch')) return 'queue'
  return undefined
}

async function observe<T>(probe: BindingProbe, call: BindingCall, run: () => Promise<T>): Promise<T> {
  await probe.before?.(call)
  const result = await (probe.around ? probe.around(call, run) : run())
  await probe.after?.(call)
  return result
}

/**
 * `target` with `overrides` in place of some members; every other member is read from the
 * target itself (methods bound to it), so a native object is never called through the proxy.
 */
export function withOverrides<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop]
      const value: unknown = Reflect.get(t, prop)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value
    },
  })
}

type Statements = WeakMap<D1PreparedStatement, { real: D1PreparedStatement; sql: string }>

function observedD1(binding: string, d1: D1Database, probe: BindingProbe): D1Database {
  const statements: Statements = new WeakMap()
  const prepare = (real: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const call: BindingCall = { binding, kind: 'd1', op: 'statement', write: writesData(sql) }
    const run =
      (method: 'first' | 'run' | 'all' | 'raw') =>
      (...args: unknown[]) =>
        observe(probe, call, () => Reflect.apply(Reflect.get(real, method) as (...a: unknown[]) => Promise<unknown>, real, args))
    const wrapped = withOverrides(real, {
      bind: (...values: unknown[]) => prepare(real.bind(...values), sql),
      first: run('first'),
      run: run('run'),
      all: run('all'),
      raw: run('raw'),
    })
    statements.set(wrapped, { real, sql })
    return wrapped
  }
  const batch = (target: Pick<D1Database, 'batch'>) => (list: D1PreparedStatement[]) => {
    const known = list.map((s) => statements.get(s))
    const call: BindingCall = { binding, kind: 'd1', op: 'batch', statements: list.length, write: known.some((k) => k !== undefined && writesData(k.sql)) }
    return observe(probe, call, () => target.batch(list.map((s, i) => known[i]?.real ?? s)))
  }
  const session = (real: D1DatabaseSession): D1DatabaseSession =>
    withOverrides(real, { prepare: (sql: string) => prepare(real.prepare(sql), sql), batch: batch(real) })
  return withOverrides(d1, {
    prepare: (sql: string) => prepare(d1.prepare(sql), sql),
    batch: batch(d1),
    exec: (sql: string) => observe(probe, { binding, kind: 'd1', op: 'exec', write: writesData(sql) }, () => d1.exec(sql)),
    withSession: (constraintOrBookmark?: string) => session(d1.withSession(constraintOrBookmark)),
  })
}

function observedNamespace(binding: string, ns: DurableObjectNamespace, probe: BindingProbe): DurableObjectNamespace {
  return withOverrides(ns, {
    get: (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => observedStub(binding, ns.get(id, options), probe),
    getByName: (name: string, options?: DurableObjectNamespaceGetDurableObjectOptions) => observedStub(binding, ns.getByName(name, options), probe),
    jurisdiction: (j: DurableObjectJurisdiction) => observedNamespace(binding, ns.jurisdiction(j), probe),
  })
}

/** Properties of a stub that are values, not calls. */
export const stubValues = new Set(['id', 'name'])

/**
 * A stub's stand-in. The real stub answers any name with an RPC method, so this one does too,
 * except `then` (a stub must not look like a promise), its `id` and `name`, and symbols (read
 * from the real stub, e.g. `Symbol.dispose`).
 */
function observedStub(binding: string, stub: DurableObjectStub, probe: BindingProbe): DurableObjectStub {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  const target = Object.create(null) as DurableObjectStub
  return new Proxy(target, {
    get(_, prop) {
      if (typeof prop === 'symbol' || stubValues.has(prop)) {
        const value: unknown = Reflect.get(stub, prop)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(stub) : value
      }
      if (prop === 'then') return undefined
      let method = methods.get(prop)
      if (!method) {
        const call: BindingCall = { binding, kind: 'object', op: prop }
        method = (...args: unknown[]) => observe(probe, call, () => Reflect.apply(Reflect.get(stub, prop) as (...a: unknown[]) => unknown, stub, args) as Promise<unknown>)
        methods.set(prop, method)
      }
      return method
    },
  })
}

function observedQueue(binding: string, queue: Queue, probe: BindingProbe): Queue {
  return withOverrides(queue, {
    send: (body: unknown, options?: QueueSendOptions) => observe(probe, { binding, kind: 'queue', op: 'send' }, () => queue.send(body, options)),
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) =>
      observe(probe, { binding, kind: 'queue', op: 'sendBatch' }, () => queue.sendBatch(messages, options)),
  })
}
