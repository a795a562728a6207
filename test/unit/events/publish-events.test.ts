import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { consumerNames, subscriptions } from '../../../src/events/event-subscriptions'
import { publishEvents } from '../../../src/events/publish-events'

const event = (type: string, seq: number): EventEnvelope => ({ id: `evt_${String(seq).padStart(26, '0')}`, type, version: 1, aggregateId: 'agg', seq, occurredAt: '2030-01-01T00:00:00.000Z', data: {} })

/** One fake queue per consumer binding, recording what each batch held; `refusing` throws instead. */
function fakeEnv(refusing: string[] = []) {
  const sent: Record<string, string[][]> = {}
  const env: Record<string, unknown> = {}
  for (const name of consumerNames) {
    const { binding } = subscriptions[name]
    sent[name] = []
    env[binding] = {
      sendBatch: (messages: Iterable<MessageSendRequest<EventEnvelope>>) => {
        if (refusing.includes(name)) return Promise.reject(new Error(`${name} is down`))
        sent[name]!.push([...messages].map((m) => `${m.body.type} ${m.body.seq}`))
        return Promise.resolve()
      },
    }
  }
  return { env: env as unknown as Env, sent }
}

describe('publishEvents', () => {
  it('sends each consumer the events of the types it takes, in order, and nothing else', async () => {
    const { env, sent } = fakeEnv()
    await publishEvents(env, [event('bid.placed', 1), event('auction.won', 2), event('order.paid', 3)])
    expect(sent.projection).toEqual([['bid.placed 1', 'auction.won 2']])
    expect(sent['auction-orders']).toEqual([['auction.won 2']])
    expect(sent.notifications).toEqual([['bid.placed 1', 'auction.won 2', 'order.paid 3']])
    expect(sent.webhooks).toEqual([['bid.placed 1', 'auction.won 2', 'order.paid 3']])
    expect(sent.live).toEqual([['order.paid 3']])
    expect(sent.polls).toEqual([['order.paid 3']])
  })

  it('sends at most 100 events per batch', async () => {
    const { env, sent } = fakeEnv()
    await publishEvents(env, Array.from({ length: 250 }, (_, i) => event('order.paid', i + 1)))
    expect(sent.live!.map((b) => b.length)).toEqual([100, 100, 50])
  })

  it('keeps each batch under the queue’s 256 KB, however big the events (a listing carries its description)', async () => {
    const { env, sent } = fakeEnv()
    const big = (seq: number): EventEnvelope => ({ ...event('order.paid', seq), data: { note: 'x'.repeat(20_000) } })
    await publishEvents(env, Array.from({ length: 100 }, (_, i) => big(i + 1)))
    const sizes = sent.live!.map((b) => b.length)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10) // 10 × 20 KB ≈ 200 KB
    expect(sent.live!.flat()).toEqual(Array.from({ length: 100 }, (_, i) => `order.paid ${i + 1}`))
  })

  it('throws when a queue refuses, after the others have taken theirs (the outbox publishes all again)', async () => {
    const { env, sent } = fakeEnv(['webhooks'])
    await expect(publishEvents(env, [event('order.paid', 1)])).rejects.toThrow(/1 of 6 event queues refused/)
    expect(sent.notifications).toEqual([['order.paid 1']])
    expect(sent.live).toEqual([['order.paid 1']])
    expect(sent.polls).toEqual([['order.paid 1']])
  })

  it('sends nothing to a consumer that takes none of the events', async () => {
    const { env, sent } = fakeEnv()
    await publishEvents(env, [event('account.frozen', 1)])
    expect(sent.notifications).toEqual([['account.frozen 1']])
    for (const name of ['projection', 'auction-orders', 'webhooks', 'live']) expect(sent[name]).toEqual([])
  })
})
