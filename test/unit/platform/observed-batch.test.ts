import { describe, expect, it, vi } from 'vitest'
import { observedBatch, type MessageOutcome } from '../../../src/platform/observed-batch'

/** A batch of `n` fake messages whose ack/retry (and the batch's ackAll/retryAll) are spies. */
function fakeBatch(n: number) {
  const messages = Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    timestamp: new Date(1_000 + i),
    body: { n: i },
    attempts: i + 1,
    ack: vi.fn<() => void>(),
    retry: vi.fn<(options?: QueueRetryOptions) => void>(),
  }))
  const batch = {
    queue: 'events-projection',
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    messages,
    ackAll: vi.fn<() => void>(),
    retryAll: vi.fn<(options?: QueueRetryOptions) => void>(),
  }
  return { batch: batch as unknown as MessageBatch<{ n: number }>, messages, raw: batch }
}

/** The observed batch with a clock the test moves, and what it reported. */
function observe(n: number, start = 100) {
  const fake = fakeBatch(n)
  let t = start
  const reports: MessageOutcome[] = []
  const observed = observedBatch(fake.batch, (o) => reports.push(o), () => t)
  const summary = () => reports.map((r) => ({ id: r.message.id, ok: r.ok, durationMs: r.durationMs }))
  return { ...fake, ...observed, reports, summary, advance: (ms: number) => (t += ms) }
}

describe('observedBatch', () => {
  it('passes each message through: id, timestamp, body, attempts; and the batch’s queue and metadata', () => {
    const { batch, raw } = observe(2)
    expect(batch.queue).toBe('events-projection')
    expect(batch.metadata).toBe(raw.metadata)
    expect(batch.messages.map((m) => ({ id: m.id, timestamp: m.timestamp, body: m.body, attempts: m.attempts }))).toEqual(
      raw.messages.map((m) => ({ id: m.id, timestamp: m.timestamp, body: m.body, attempts: m.attempts })),
    )
  })

  it('reports an acked message once as ok, with the time since the batch began, and acks the real message', () => {
    const { batch, messages, summary, advance, reports } = observe(2)
    advance(40)
    batch.messages[0]?.ack()
    advance(5)
    batch.messages[0]?.ack() // a second ack is passed on but not counted again
    expect(summary()).toEqual([{ id: 'm0', ok: true, durationMs: 40 }])
    expect(reports[0]?.message).toBe(messages[0])
    expect(messages[0]?.ack).toHaveBeenCalledTimes(2)
    expect(messages[1]?.ack).not.toHaveBeenCalled()
  })

  it('reports a retried message once as failed and passes the retry options to the real message', () => {
    const { batch, messages, summary, advance } = observe(2)
    advance(12)
    batch.messages[1]?.retry({ delaySeconds: 30 })
    batch.messages[1]?.retry()
    expect(summary()).toEqual([{ id: 'm1', ok: false, durationMs: 12 }])
    expect(messages[1]?.retry).toHaveBeenNthCalledWith(1, { delaySeconds: 30 })
    expect(messages[0]?.retry).not.toHaveBeenCalled()
  })

  it('counts the first way a message ended: a retry after an ack is not a second report', () => {
    const { batch, summary } = observe(1)
    batch.messages[0]?.ack()
    batch.messages[0]?.retry()
    expect(summary()).toEqual([{ id: 'm0', ok: true, durationMs: 0 }])
  })

  it('ackAll reports every message once as ok and calls the real ackAll', () => {
    const { batch, raw, summary, advance } = observe(3)
    advance(7)
    batch.ackAll()
    expect(summary()).toEqual(['m0', 'm1', 'm2'].map((id) => ({ id, ok: true, durationMs: 7 })))
    expect(raw.ackAll).toHaveBeenCalledTimes(1)
  })

  it('retryAll reports every message once as failed and passes its options to the real retryAll', () => {
    const { batch, raw, summary, advance } = observe(3)
    advance(9)
    batch.retryAll({ delaySeconds: 5 })
    expect(summary()).toEqual(['m0', 'm1', 'm2'].map((id) => ({ id, ok: false, durationMs: 9 })))
    expect(raw.retryAll).toHaveBeenCalledWith({ delaySeconds: 5 })
  })

  it('ackAll after one message was retried reports only the others', () => {
    const { batch, summary, advance } = observe(3)
    advance(1)
    batch.messages[1]?.retry()
    advance(2)
    batch.ackAll()
    expect(summary()).toEqual([
      { id: 'm1', ok: false, durationMs: 1 },
      { id: 'm0', ok: true, durationMs: 3 },
      { id: 'm2', ok: true, durationMs: 3 },
    ])
  })

  it.each([true, false])('settleRest(%s) reports only the messages not settled yet, once, and leaves the real messages alone', (ok) => {
    const { batch, messages, raw, summary, advance, settleRest } = observe(4)
    advance(3)
    batch.messages[0]?.ack()
    batch.messages[2]?.retry()
    advance(20)
    settleRest(ok)
    settleRest(!ok)
    expect(summary()).toEqual([
      { id: 'm0', ok: true, durationMs: 3 },
      { id: 'm2', ok: false, durationMs: 3 },
      { id: 'm1', ok, durationMs: 23 },
      { id: 'm3', ok, durationMs: 23 },
    ])
    // The runtime settles what the consumer left: settleRest only reports.
    for (const m of [messages[1], messages[3]]) {
      expect(m?.ack).not.toHaveBeenCalled()
      expect(m?.retry).not.toHaveBeenCalled()
    }
    expect(raw.ackAll).not.toHaveBeenCalled()
    expect(raw.retryAll).not.toHaveBeenCalled()
  })

  it('settleRest after ackAll reports nothing more', () => {
    const { batch, summary, settleRest } = observe(2)
    batch.ackAll()
    settleRest(false)
    expect(summary().map((s) => s.ok)).toEqual([true, true])
  })
})
