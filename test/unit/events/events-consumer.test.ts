import { afterEach, describe, expect, it, type Mock, vi } from 'vitest'
import { formatId, idRandomBytes } from '../../../src/core/ids'
import { createLogger } from '../../../src/core/logger'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { consumeEvents, type EventHandler, type EventHandlers } from '../../../src/events/events-consumer'
import { developmentBindings } from '../../../scripts/development-vars'

const QUEUE = 'souk-events'
const OCCURRED_AT = '2030-01-02T03:04:05.000Z'
// Valid settings (retries read QUEUE_RETRY_SCALE), unscaled so the delays are production's.
const env = { ...developmentBindings(), QUEUE_RETRY_SCALE: '1' } as unknown as Env

function event(type: string, n = 1): EventEnvelope {
  return {
    id: formatId('evt', Date.parse(OCCURRED_AT), new Uint8Array(idRandomBytes).fill(n)),
    type,
    version: 1,
    aggregateId: 'lst_01',
    seq: n,
    occurredAt: OCCURRED_AT,
    data: { n },
  }
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

describe('consumeEvents', () => {
  it('acks a handled event once, never retries it, and hands the handler the parsed event and the env', async () => {
    const { log, lines } = capture()
    const handler = vi.fn<EventHandler>(() => Promise.resolve())
    const msg = message(event('listing.created'))
    await consumeEvents(batch([msg]), env, { 'listing.created': handler }, log)
    expectAcked(msg)
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler).toHaveBeenCalledWith(event('listing.created'), env)
    expect(lines).toEqual([])
  })

  it('acks only after the handler has finished', async () => {
    const { log } = capture()
    const msg = message(event('listing.created'))
    let ackedBeforeDone = true
    const handler: EventHandler = async () => {
      await Promise.resolve()
      ackedBeforeDone = msg.ack.mock.calls.length > 0
    }
    await consumeEvents(batch([msg]), env, { 'listing.created': handler }, log)
    expect(ackedBeforeDone).toBe(false)
    expectAcked(msg)
  })

  it('dispatches each event to the handler of its type, in order', async () => {
    const { log } = capture()
    const seen: string[] = []
    const handlers: EventHandlers = {
      'listing.created': (e) => {
        seen.push(`created ${e.seq}`)
        return Promise.resolve()
      },
      'bid.placed': (e) => {
        seen.push(`bid ${e.seq}`)
        return Promise.resolve()
      },
    }
    const msgs = [message(event('listing.created', 1)), message(event('bid.placed', 2)), message(event('listing.created', 3))]
    await consumeEvents(batch(msgs), env, handlers, log)
    expect(seen).toEqual(['created 1', 'bid 2', 'created 3'])
    expectAcked(...msgs)
  })

  it('handles different aggregates side by side, and one aggregate’s events in order', async () => {
    const { log } = capture()
    const seen: string[] = []
    const on = (aggregateId: string, seq: number) => ({ ...event('bid.placed', seq), aggregateId })
    const handlers: EventHandlers = {
      'bid.placed': async (e) => {
        // The first event of lst_slow takes longest: only lst_fast may overtake it, never lst_slow's own next.
        if (e.aggregateId === 'lst_slow' && e.seq === 1) await new Promise((r) => setTimeout(r, 30))
        seen.push(`${e.aggregateId} ${e.seq}`)
      },
    }
    const msgs = [message(on('lst_slow', 1)), message(on('lst_fast', 1)), message(on('lst_slow', 2)), message(on('lst_fast', 2))]
    await consumeEvents(batch(msgs), env, handlers, log)
    expect(seen).toEqual(['lst_fast 1', 'lst_fast 2', 'lst_slow 1', 'lst_slow 2'])
    expectAcked(...msgs)
  })

  it.each(['order.shipped', 'health.probe'])('acks and ignores an event of a type it has no handler for (%s)', async (type) => {
    const { log, lines } = capture()
    const other = vi.fn<EventHandler>(() => Promise.resolve())
    const msg = message(event(type))
    await consumeEvents(batch([msg]), env, { 'listing.created': other }, log)
    expectAcked(msg)
    expect(other).not.toHaveBeenCalled()
    expect(lines).toEqual([])
  })

  it.each([
    ['a string', 'not an event'],
    ['null', null],
    ['an object that is no envelope', { hello: 'world' }],
    ['an envelope with an unprefixed id', { ...event('listing.created'), id: 'xyz' }],
    ['an envelope with an upper-case id', { ...event('listing.created'), id: event('listing.created').id.toUpperCase() }],
    ['an envelope with a one-word type', { ...event('listing.created'), type: 'created' }],
    ['an envelope without occurredAt', { ...event('listing.created'), occurredAt: undefined }],
    ['an envelope with a negative seq', { ...event('listing.created'), seq: -1 }],
  ])('retries a malformed message (%s) with a delay, logs it, and runs no handler', async (_, body) => {
    const { log, entries } = capture()
    const handler = vi.fn<EventHandler>(() => Promise.resolve())
    const msg = message(body, 1, 'msg-bad')
    await consumeEvents(batch([msg]), env, { 'listing.created': handler }, log)
    expectRetried(msg)
    const delay = delayOf(msg)
    expect(Number.isInteger(delay)).toBe(true)
    expect(delay).toBeGreaterThanOrEqual(0)
    expect(handler).not.toHaveBeenCalled()
    expect(entries()).toEqual([expect.objectContaining({ level: 'error', msg: 'event_malformed', queue: QUEUE, messageId: 'msg-bad', attempts: 1 })])
  })

  it('does not copy a malformed body, which may carry personal data, into the log', async () => {
    const { log, lines } = capture()
    await consumeEvents(batch([message({ buyer: 'Ana Maria', note: 'ring me on 0612345678' })]), env, {}, log)
    expect(lines.join('\n')).not.toMatch(/Ana Maria|0612345678/)
  })

  it('retries only the message whose handler failed; the others are still acked', async () => {
    const { log, entries } = capture()
    const handlers: EventHandlers = {
      'listing.created': () => Promise.resolve(),
      'bid.placed': () => Promise.reject(new Error('projection write failed for ana@example.com')),
    }
    const [before, failing, after] = [message(event('listing.created', 1)), message(event('bid.placed', 2), 3), message(event('listing.created', 3))]
    await consumeEvents(batch([before, failing, after]), env, handlers, log)
    expectAcked(before, after)
    expectRetried(failing)
    expect(entries()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'event_handler_failed',
        queue: QUEUE,
        eventId: event('bid.placed', 2).id,
        type: 'bid.placed',
        attempts: 3,
        err: expect.objectContaining({ name: 'Error', message: 'projection write failed for [email]' }) as unknown,
      }),
    ])
  })

  it('retries a handler that throws before it returns a promise', async () => {
    const { log, entries } = capture()
    const msg = message(event('bid.placed'))
    const handler: EventHandler = () => {
      throw new TypeError('cannot read properties of undefined')
    }
    await consumeEvents(batch([msg]), env, { 'bid.placed': handler }, log)
    expectRetried(msg)
    expect(entries()[0]).toMatchObject({ msg: 'event_handler_failed', err: { name: 'TypeError' } })
  })

  it('keeps going after a malformed message in the middle of a batch', async () => {
    const { log } = capture()
    const handler = vi.fn<EventHandler>(() => Promise.resolve())
    const [first, garbage, last] = [message(event('listing.created', 1)), message('garbage'), message(event('listing.created', 3))]
    await consumeEvents(batch([first, garbage, last]), env, { 'listing.created': handler }, log)
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
  ])('on attempt %i waits at most %i s (2 s doubling, capped at 10 minutes), with jitter', async (attempts, ceiling) => {
    const { log } = capture()
    vi.spyOn(Math, 'random').mockReturnValue(1 - 2 ** -53)
    const highest = message(event('bid.placed'), attempts)
    await consumeEvents(batch([highest]), env, { 'bid.placed': () => Promise.reject(new Error('down')) }, log)
    expect(delayOf(highest)).toBe(ceiling)
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const lowest = message('garbage', attempts)
    await consumeEvents(batch([lowest]), env, {}, log)
    expect(delayOf(lowest)).toBe(0)
  })
})
