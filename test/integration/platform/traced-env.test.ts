import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OtlpSpan, OtlpTraceRequest } from '../../../src/core/otlp-traces'
import { parseTraceparent } from '../../../src/core/trace-context'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { consumerNames, subscriptions } from '../../../src/events/event-subscriptions'
import type { CreateListing } from '../../../src/listings/listing-lifecycle'
import type { ListingObject } from '../../../src/listings/listing-object'
import { tracedEnv } from '../../../src/platform/traced-env'
import type { TracedObject } from '../../../src/platform/traced-object'
import { currentSpan, traceInvocation, type Invocation } from '../../../src/platform/tracing'
import { newListingId, SELLER } from '../listings/fixtures'

// The example of the W3C Trace Context recommendation, §3.2.
const TRACE = '0af7651916cd43dd8448eb211c80319c'
const PARENT = 'b7ad6b7169203331'
const CALLER = `00-${TRACE}-${PARENT}-01`

const quiet = (): Invocation => ({ env: {}, waitUntil: () => undefined })
const rootSpan = () => {
  const span = currentSpan()
  if (!span) throw new Error('no current span')
  return span
}

/**
 * An invocation whose env names a collector of its own (exporters are cached per endpoint), with
 * `fetch` intercepted for it: `exported()` gives the spans the caller's side sent.
 */
function collector() {
  const endpoint = `http://collector-${crypto.randomUUID()}.test`
  const bodies: OtlpTraceRequest[] = []
  const pending: Promise<unknown>[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (!url.startsWith(endpoint)) return Promise.reject(new Error(`unexpected fetch of ${url}`))
    bodies.push(JSON.parse(init?.body as string) as OtlpTraceRequest)
    return Promise.resolve(new Response(null, { status: 200 }))
  })
  const invocation: Invocation = { env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, waitUntil: (p) => pending.push(p) }
  const exported = async (): Promise<OtlpSpan[]> => {
    while (pending.length > 0) await Promise.all(pending.splice(0))
    return bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
  }
  return { invocation, exported }
}

/** A stand-in queue (kindOf knows a queue by its send and sendBatch) that records what it got. */
function fakeQueue() {
  const sent: { body: unknown; options?: unknown }[] = []
  return {
    sent,
    queue: {
      send: (body: unknown, options?: QueueSendOptions) => {
        sent.push({ body, ...(options ? { options } : {}) })
        return Promise.resolve()
      },
      sendBatch: (messages: Iterable<MessageSendRequest>) => {
        for (const m of messages) sent.push({ body: m.body })
        return Promise.resolve()
      },
    },
  }
}

const listing = (id: string): CreateListing => ({
  id,
  sellerId: SELLER,
  title: 'Brass lamp',
  description: 'A working 1920s brass lamp',
  category: 'home',
  format: 'fixed_price',
  currency: 'USD',
  acceptsOffers: false,
  fixed: { price: 5000, quantity: 1 },
})

/**
 * A fresh listing object whose event queues are stand-ins that record what the outbox sends
 * (set before the listing exists, so its first events go there too).
 */
async function listingWithFakeQueues() {
  const id = newListingId()
  const stub = env.LISTINGS.get(env.LISTINGS.idFromName(id))
  const sent: EventEnvelope[] = []
  const queues = Object.fromEntries(
    consumerNames.map((name) => [
      subscriptions[name].binding,
      {
        send: () => Promise.reject(new Error('the outbox sends batches')),
        sendBatch: (messages: Iterable<MessageSendRequest<EventEnvelope>>) => {
          if (subscriptions[name].binding === 'EVENTS_PROJECTION') for (const m of messages) sent.push(m.body)
          return Promise.resolve()
        },
      },
    ]),
  )
  await runInDurableObject(stub, (o: ListingObject) => {
    const self = o as unknown as { env: Env }
    self.env = { ...self.env, ...(queues as unknown as Partial<Env>) }
  })
  /** What the projection's queue got, once the outbox has drained (its alarm, run now). */
  const delivered = async () => {
    await runDurableObjectAlarm(stub)
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(0))
    return sent
  }
  return { id, delivered }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('tracedEnv: Durable Object calls', () => {
  it('runs the method in the object under the caller’s trace: the event it commits carries that trace, from a span of its own', async () => {
    const c = collector()
    const { id, delivered } = await listingWithFakeQueues()
    const traced = tracedEnv(env)
    const root = await traceInvocation(c.invocation, { name: 'POST /v1/listings', kind: 'server', traceparent: CALLER }, async () => {
      const created = await traced.LISTINGS.get(traced.LISTINGS.idFromName(id)).create(listing(id))
      expect(created.ok).toBe(true)
      return rootSpan()
    })
    const client = (await c.exported()).find((s) => s.name === 'LISTINGS.create')
    expect(client).toMatchObject({ kind: 3, traceId: TRACE, parentSpanId: root.spanId })

    const [event] = await delivered()
    expect(event).toMatchObject({ type: 'listing.created', aggregateId: id })
    const committedIn = parseTraceparent(event?.traceparent)
    expect(committedIn).toMatchObject({ traceId: TRACE, sampled: true })
    // The object's own (server) span: neither the caller's span nor the client span that called it.
    expect(committedIn?.parentSpanId).not.toBe(root.spanId)
    expect(committedIn?.parentSpanId).not.toBe(client?.spanId)
    expect(committedIn?.parentSpanId).not.toBe(PARENT)
  })

  it('carries nothing through a plain stub: without tracedEnv the event has no traceparent', async () => {
    const { id, delivered } = await listingWithFakeQueues()
    await traceInvocation(quiet(), { name: 'POST /v1/listings', kind: 'server', traceparent: CALLER }, async () => {
      expect((await env.LISTINGS.get(env.LISTINGS.idFromName(id)).create(listing(id))).ok).toBe(true)
    })
    const [event] = await delivered()
    expect(event?.type).toBe('listing.created')
    expect(event).not.toHaveProperty('traceparent')
  })

  it('continues a traceparent given straight to traced(), the RPC entry every traced stub calls', async () => {
    const { id, delivered } = await listingWithFakeQueues()
    const stub = env.LISTINGS.get(env.LISTINGS.idFromName(id))
    // `unknown` in an RPC return type reads as never: the answer is the method's.
    const created = await (stub.traced(CALLER, 'create', [listing(id)]) as unknown as Promise<{ ok: boolean }>)
    expect(created.ok).toBe(true)
    const [event] = await delivered()
    expect(parseTraceparent(event?.traceparent)).toMatchObject({ traceId: TRACE })
    expect(parseTraceparent(event?.traceparent)?.parentSpanId).not.toBe(PARENT)
  })

  it('answers like the real stub: a traced call returns the method’s answer, the id passes through, and it is not thenable', async () => {
    const traced = tracedEnv(env)
    const id = traced.RATE_LIMITER.idFromName(`traced:${crypto.randomUUID()}`)
    const stub = traced.RATE_LIMITER.get(id)
    expect(stub.id.equals(id)).toBe(true)
    expect((stub as unknown as { then?: unknown }).then).toBeUndefined()
    expect(await traceInvocation(quiet(), { name: 'GET /health', kind: 'server' }, () => stub.ping())).toBe('pong')
    // Off any trace, the call still goes (as `traced` with no parent).
    expect(await stub.ping()).toBe('pong')
  })

  it.each(['alarm', 'fetch', 'constructor', 'traced', 'webSocketMessage', 'webSocketClose', '_private', 'noSuchMethod'])('refuses to dispatch %s through traced() with a TypeError', async (method) => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`traced:${crypto.randomUUID()}`))
    await runInDurableObject(stub, async (o: TracedObject) => {
      for (const traceparent of [CALLER, null]) await expect(o.traced(traceparent, method, [])).rejects.toThrow(new TypeError(`RateLimiterObject has no method ${method}`))
      expect(await o.traced(null, 'ping', [])).toBe('pong')
    })
  })

  it('refuses over RPC too: the caller gets the TypeError', async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`traced:${crypto.randomUUID()}`))
    // Settled with try/catch: `expect(rpcPromise).rejects` leaves the RPC promise's rejection unhandled.
    let failure: unknown
    try {
      await (stub.traced(CALLER, 'alarm', []) as unknown as Promise<unknown>)
    } catch (err) {
      failure = err
    }
    expect(failure).toBeInstanceOf(TypeError)
    expect((failure as Error).message).toBe('RateLimiterObject has no method alarm')
  })
})

describe('tracedEnv: queues', () => {
  function tracedFake() {
    const fake = fakeQueue()
    const traced = tracedEnv({ ...env, FAKE_QUEUE: fake.queue } as unknown as Env)
    const queue = Reflect.get(traced, 'FAKE_QUEUE') as Queue
    return { ...fake, queue }
  }

  it('adds the producer span’s traceparent to a JSON object it sends, in the caller’s trace, leaving the caller’s object as it was', async () => {
    const c = collector()
    const { queue, sent } = tracedFake()
    const body = { id: 'job_1', kind: 'notify' }
    const root = await traceInvocation(c.invocation, { name: 'POST /v1/x', kind: 'server', traceparent: CALLER }, async () => {
      await queue.send(body, { delaySeconds: 5 })
      return rootSpan()
    })
    expect(body).toEqual({ id: 'job_1', kind: 'notify' })
    const producer = (await c.exported()).find((s) => s.name === 'FAKE_QUEUE send')
    expect(producer).toMatchObject({ kind: 4, traceId: TRACE, parentSpanId: root.spanId })
    expect(sent).toEqual([{ body: { id: 'job_1', kind: 'notify', traceparent: `00-${TRACE}-${producer?.spanId}-01` }, options: { delaySeconds: 5 } }])
  })

  it('adds it to every JSON object of a sendBatch', async () => {
    const { queue, sent } = tracedFake()
    const root = await traceInvocation(quiet(), { name: 'x', kind: 'server', traceparent: CALLER }, async () => {
      await queue.sendBatch([{ body: { n: 1 } }, { body: { n: 2 } }, { body: 'text' }])
      return rootSpan()
    })
    const [a, b, text] = sent.map((s) => s.body as Record<string, unknown>)
    for (const m of [a, b]) expect(parseTraceparent(m?.traceparent as string)).toMatchObject({ traceId: TRACE })
    expect(parseTraceparent(a?.traceparent as string)?.parentSpanId).not.toBe(root.spanId) // the producer span's
    expect(a).toMatchObject({ n: 1 })
    expect(b).toMatchObject({ n: 2 })
    expect(text).toBe('text')
  })

  it('keeps a traceparent the message already carries (an outbox event keeps the trace it was committed in)', async () => {
    const { queue, sent } = tracedFake()
    const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`
    await traceInvocation(quiet(), { name: 'x', kind: 'server', traceparent: CALLER }, () => queue.send({ id: 'evt_1', traceparent: own }))
    expect(sent).toEqual([{ body: { id: 'evt_1', traceparent: own } }])
  })

  it.each([
    ['a string', 'plain text'],
    ['a number', 42],
    ['an array', [{ n: 1 }]],
    ['null', null],
    ['a class instance', new Date('2030-01-01T00:00:00Z')],
  ])('leaves %s untouched', async (_, body) => {
    const { queue, sent } = tracedFake()
    await traceInvocation(quiet(), { name: 'x', kind: 'server', traceparent: CALLER }, () => queue.send(body))
    expect(sent).toHaveLength(1)
    expect(sent[0]?.body).toBe(body)
  })

  it('adds nothing off any trace', async () => {
    const { queue, sent } = tracedFake()
    await queue.send({ id: 'job_2' })
    expect(sent).toEqual([{ body: { id: 'job_2' } }])
  })
})

describe('tracedEnv: D1', () => {
  it('makes each statement and batch a client span of the current trace', async () => {
    const c = collector()
    const traced = tracedEnv(env)
    const root = await traceInvocation(c.invocation, { name: 'x', kind: 'server', traceparent: CALLER }, async () => {
      expect(await traced.DB.prepare('SELECT 41 + ? AS n').bind(1).first<{ n: number }>()).toEqual({ n: 42 })
      await traced.DB.batch([traced.DB.prepare('SELECT 1'), traced.DB.prepare('SELECT 2')])
      return rootSpan()
    })
    const d1 = (await c.exported()).filter((s) => s.name.startsWith('d1 '))
    expect(d1.map((s) => s.name)).toEqual(['d1 statement', 'd1 batch'])
    for (const s of d1) expect(s).toMatchObject({ kind: 3, traceId: TRACE, parentSpanId: root.spanId })
    expect(d1[0]?.attributes).toContainEqual({ key: 'db.write', value: { boolValue: false } })
    expect(d1[1]?.attributes).toContainEqual({ key: 'db.statements', value: { intValue: '2' } })
  })

  it('runs a statement off any trace with no span, and the same answer', async () => {
    expect(await tracedEnv(env).DB.prepare('SELECT 7 AS n').first<{ n: number }>()).toEqual({ n: 7 })
  })
})
