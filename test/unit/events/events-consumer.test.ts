import { afterEach, describe, expect, it, type Mock, vi } from 'vitest'
import { formatId, idRandomBytes } from '../../../src/core/ids'
import { createLogger } from '../../../src/core/logger'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import type { SoukEvent } from '../../../src/events/contract/souk-event'
import { consumeEvents, type EventConsumer } from '../../../src/events/events-consumer'
import type { Subscription } from '../../../src/events/event-subscriptions'
import { developmentBindings } from '../../../scripts/development-vars'

const QUEUE = 'souk-events-live'
const OCCURRED_AT = '2030-01-02T03:04:05.000Z'
// Valid settings (retries read QUEUE_RETRY_SCALE), unscaled so the delays are production's.
const env = { ...developmentBindings(), QUEUE_RETRY_SCALE: '1' } as unknown as Env

/** An order event: the simplest data the contract declares. */
function event(type: string, n = 1): EventEnvelope {
  const orderId = 'ord_01'
  const money = { amount: 1_000 * n, currency: 'USD' }
  return {
    id: formatId('evt', Date.parse(OCCURRED_AT), new Uint8Array(idRandomBytes).fill(n)),
    type,
    version: 1,
    aggregateId: orderId,
    seq: n,
    occurredAt: OCCURRED_AT,
    data: { orderId, status: 'paid', action: 'pay', actor: 'system', buyerId: 'usr_b', sellerId: 'usr_s', total: money, items: [{ listingId: 'lst_1', quantity: 1, unitPrice: money }] },
  }
}

/** A consumer that takes order.created and order.paid (2 s doubling, capped at 10 minutes). */
function subscription(types = ['order.created', 'order.paid']): Subscription {
  return { binding: 'EVENTS_LIVE', queue: QUEUE, types: new Set(types), backoff: { baseSeconds: 2, capSeconds: 600 } }
}

type Ack = () => void
type Retry = (options?: QueueRetryOptions) => void
type FakeMessage = Message<unknown> & { ack: Mock<Ack>; retry: Mock<Retry> }

let messageCount = 0
function message(body: unknown, attempts = 1, id = `msg-${++messageCount}`): FakeMessage {
  return { id, timestamp: new Date(OCCURRED_AT), body, attempts, ack: vi.fn<Ack>(), retry: vi.fn<Retry>() }
}

function batch(messages: FakeMessage[]): MessageBatch<unknown> {
  return {
    queue: QUEUE,
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => expect.unreachable('the consumer acks message by message'),
    retryAll: () => expect.unreachable('the consumer retries message by message'),
  }
}

function capture() {
  const lines: string[] = []
  const log = createLogger({ sink: (line) => lines.push(line), now: () => new Date(OCCURRED_AT), level: 'debug' })
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

function expectAcked(...msgs: FakeMessage[]) {
  for (const m of msgs) {
    expect(m.ack, `${m.id} acked`).toHaveBeenCalledTimes(1)
    expect(m.retry, `${m.id} retried`).not.toHaveBeenCalled()
  }
}
function expectRetried(m: FakeMessage) {
  expect(m.retry, `${m.id} retried`).toHaveBeenCalledTimes(1)
  expect(m.ack, `${m.id} acked`).not.toHaveBeenCalled()
}
const delayOf = (m: FakeMessage) => m.retry.mock.calls[0]?.[0]?.delaySeconds

afterEach(() => {
  vi.restoreAllMocks()
})

type EventHandler = (event: SoukEvent, env: Env) => Promise<void>
/** Runs the consumer over `msgs`, `handle` taking each event of the batch in turn. */
const consume = (msgs: FakeMessage[], handle: EventHandler, log = capture().log, types?: string[]) => consumeEvents(batch(msgs), env, subscription(types), inTurn(handle), log)
const inTurn =
  (handle: EventHandler): EventConsumer =>
  async (events, e) => {
    for (const event of events) await handle(event, e)
  }
const ok: EventHandler = () => Promise.resolve()

describe('consumeEvents', () => {
  it('acks a handled event once, never retries it, and hands the handler the decoded event and the env', async () => {
    const { log, lines } = capture()
    const handler = vi.fn<EventHandler>(ok)
    const msg = message(event('order.paid'))
    await consume([msg], handler, log)
    expectAcked(msg)
    expect(handler).toHaveBeenCalledTimes(1)
    const [decoded, given] = handler.mock.calls[0]!
    expect(decoded).toMatchObject({ aggregate: 'order', envelope: event('order.paid'), event: { type: 'order.paid', data: { orderId: 'ord_01', total: { amount: 1_000 } } } })
    expect(given).toBe(env)
    expect(lines).toEqual([])
  })

  it('acks only after the handler has finished', async () => {
    const msg = message(event('order.paid'))
    let ackedBeforeDone = true
    await consume([msg], async () => {
      await Promise.resolve()
      ackedBeforeDone = msg.ack.mock.calls.length > 0
    })
    expect(ackedBeforeDone).toBe(false)
    expectAcked(msg)
  })

  it('handles one aggregate’s events in batch order', async () => {
    const seen: string[] = []
    const msgs = [message(event('order.created', 1)), message(event('order.paid', 2)), message(event('order.paid', 3))]
    await consume(msgs, (e) => {
      seen.push(`${e.event.type} ${e.envelope.seq}`)
      return Promise.resolve()
    })
    expect(seen).toEqual(['order.created 1', 'order.paid 2', 'order.paid 3'])
    expectAcked(...msgs)
  })

  it('hands the consumer the whole batch at once, in batch order', async () => {
    const consume = vi.fn<EventConsumer>(() => Promise.resolve())
    const msgs = [message(event('order.created', 1)), message(event('order.paid', 2)), message({ ...event('order.paid', 1), aggregateId: 'ord_02' })]
    await consumeEvents(batch(msgs), env, subscription(), consume, capture().log)
    expect(consume).toHaveBeenCalledTimes(1)
    expect(consume.mock.calls[0]![0].map((e) => `${e.envelope.aggregateId} ${e.envelope.seq}`)).toEqual(['ord_01 1', 'ord_01 2', 'ord_02 1'])
    expectAcked(...msgs)
  })

  it('after a failed batch goes one event at a time: different aggregates side by side, one aggregate’s events in order', async () => {
    const seen: string[] = []
    const on = (aggregateId: string, seq: number) => ({ ...event('order.paid', seq), aggregateId })
    const msgs = [message(on('ord_slow', 1)), message(on('ord_fast', 1)), message(on('ord_slow', 2)), message(on('ord_fast', 2))]
    const consume: EventConsumer = async (events) => {
      if (events.length > 1) throw new Error('one of them is bad')
      const e = events[0]!
      // The first event of ord_slow takes longest: only ord_fast may overtake it, never ord_slow's own next.
      if (e.envelope.aggregateId === 'ord_slow' && e.envelope.seq === 1) await new Promise((r) => setTimeout(r, 30))
      seen.push(`${e.envelope.aggregateId} ${e.envelope.seq}`)
    }
    const { log, entries } = capture()
    await consumeEvents(batch(msgs), env, subscription(), consume, log)
    expect(seen).toEqual(['ord_fast 1', 'ord_fast 2', 'ord_slow 1', 'ord_slow 2'])
    expectAcked(...msgs)
    expect(entries()).toEqual([expect.objectContaining({ level: 'warn', msg: 'event_batch_failed', events: 4 })])
  })

  it.each([
    ['a type this consumer does not take', event('order.shipped')],
    ['the health probe', event('health.probe')],
    ['a type the contract does not declare', event('order.teleported')],
    ['a version the contract does not declare', { ...event('order.paid'), version: 2 }],
  ])('acks and ignores %s, unread', async (_, body) => {
    const { log, lines } = capture()
    const handler = vi.fn<EventHandler>(ok)
    const msg = message(body)
    await consume([msg], handler, log, ['order.paid', 'order.teleported'])
    expectAcked(msg)
    expect(handler).not.toHaveBeenCalled()
    expect(lines).toEqual([])
  })

  it.each([
    ['a string', 'not an event'],
    ['null', null],
    ['an object that is no envelope', { hello: 'world' }],
    ['an envelope with an unprefixed id', { ...event('order.paid'), id: 'xyz' }],
    ['an envelope with an upper-case id', { ...event('order.paid'), id: event('order.paid').id.toUpperCase() }],
    ['an envelope with a one-word type', { ...event('order.paid'), type: 'paid' }],
    ['an envelope without occurredAt', { ...event('order.paid'), occurredAt: undefined }],
    ['an envelope with a negative seq', { ...event('order.paid'), seq: -1 }],
  ])('retries a malformed message (%s) with a delay, logs it, and runs no handler', async (_, body) => {
    const { log, entries } = capture()
    const handler = vi.fn<EventHandler>(ok)
    const msg = message(body, 1, 'msg-bad')
    await consume([msg], handler, log)
    expectRetried(msg)
    const delay = delayOf(msg)
    expect(Number.isInteger(delay)).toBe(true)
    expect(delay).toBeGreaterThanOrEqual(0)
    expect(handler).not.toHaveBeenCalled()
    expect(entries()).toEqual([expect.objectContaining({ level: 'error', msg: 'event_malformed', queue: QUEUE, messageId: 'msg-bad', attempts: 1 })])
  })

  it('retries a declared type whose data does not match its schema (a producer’s bug ends in the dead-letter queue), and runs no handler', async () => {
    const { log, entries } = capture()
    const handler = vi.fn<EventHandler>(ok)
    const msg = message({ ...event('order.paid'), data: { orderId: 'ord_01' } })
    await consume([msg], handler, log)
    expectRetried(msg)
    expect(handler).not.toHaveBeenCalled()
    expect(entries()[0]).toMatchObject({ level: 'error', msg: 'event_undecodable', type: 'order.paid' })
  })

  it('does not copy a malformed body, which may carry personal data, into the log', async () => {
    const { log, lines } = capture()
    await consume([message({ buyer: 'Ana Maria', note: 'ring me on 0612345678' })], ok, log)
    expect(lines.join('\n')).not.toMatch(/Ana Maria|0612345678/)
  })

  it('retries the failed event and the ones after it of its aggregate, unrun; other aggregates are handled and acked', async () => {
    const { log, entries } = capture()
    const on = (aggregateId: string, seq: number) => ({ ...event('order.paid', seq), aggregateId })
    const ran: string[] = []
    const [before, failing, after, other] = [message(on('ord_a', 1)), message(on('ord_a', 2), 3), message(on('ord_a', 3)), message(on('ord_b', 1))]
    // One at a time (the batch fails as a whole first, on the same event).
    const consume: EventConsumer = async (events) => {
      for (const e of events) {
        await Promise.resolve()
        if (events.length === 1) ran.push(`${e.envelope.aggregateId} ${e.envelope.seq}`)
        if (e.envelope.seq === 2) throw new Error('projection write failed for ana@example.com')
      }
    }
    await consumeEvents(batch([before, failing, after, other]), env, subscription(), consume, log)
    expectAcked(before, other)
    expectRetried(failing)
    expectRetried(after)
    expect(ran.sort()).toEqual(['ord_a 1', 'ord_a 2', 'ord_b 1'])
    expect(entries().filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'event_handler_failed',
        queue: QUEUE,
        eventId: on('ord_a', 2).id,
        type: 'order.paid',
        attempts: 3,
        err: expect.objectContaining({ name: 'Error', message: 'projection write failed for [email]' }) as unknown,
      }),
    ])
  })

  it('retries a handler that throws before it returns a promise', async () => {
    const { log, entries } = capture()
    const msg = message(event('order.paid'))
    await consume(
      [msg],
      () => {
        throw new TypeError('cannot read properties of undefined')
      },
      log,
    )
    expectRetried(msg)
    expect(entries()[0]).toMatchObject({ msg: 'event_handler_failed', err: { name: 'TypeError' } })
  })

  it('keeps going after a malformed message in the middle of a batch', async () => {
    const handler = vi.fn<EventHandler>(ok)
    const [first, garbage, last] = [message(event('order.paid', 1)), message('garbage'), message(event('order.paid', 3))]
    await consume([first, garbage, last], handler)
    expectAcked(first, last)
    expectRetried(garbage)
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it.each([
    [1, 2],
    [2, 4],
    [5, 32],
    [9, 512],
    [10, 600],
    [50, 600],
  ])('on attempt %i waits at most %i s (the consumer’s own backoff: 2 s doubling, capped at 10 minutes), with jitter', async (attempts, ceiling) => {
    vi.spyOn(Math, 'random').mockReturnValue(1 - 2 ** -53)
    const highest = message(event('order.paid'), attempts)
    await consume([highest], () => Promise.reject(new Error('down')))
    expect(delayOf(highest)).toBe(ceiling)
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const lowest = message('garbage', attempts)
    await consume([lowest], ok)
    expect(delayOf(lowest)).toBe(0)
  })
})
