import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { expect, it } from 'vitest'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { consumerNames, subscriptions } from '../../../src/events/event-subscriptions'
import type { ListingObject } from '../../../src/listings/listing-object'
import { createAuction, usd, userId } from './fixtures'

/**
 * Stand-ins for the event consumers' queues that fail together until `recover`, and record what
 * they accepted: `sent` is what the read model's queue (which takes every listing event) got.
 */
function fakeQueues() {
  const sentTo = new Map<string, EventEnvelope[]>()
  let down = true
  const queues = Object.fromEntries(
    consumerNames.map((name) => {
      const { binding } = subscriptions[name]
      sentTo.set(binding, [])
      const queue = {
        sendBatch: (messages: Iterable<MessageSendRequest<EventEnvelope>>) => {
          if (down) return Promise.reject(new Error('queue unavailable'))
          for (const m of messages) sentTo.get(binding)!.push(m.body)
          return Promise.resolve()
        },
      }
      return [binding, queue]
    }),
  )
  return { queues, sent: sentTo.get('EVENTS_PROJECTION')!, recover: () => (down = false) }
}

it('keeps every committed event while the queue fails, then delivers each exactly once, in order', async () => {
  const { stub } = await createAuction()
  const fake = fakeQueues()
  let later = Date.now()
  await runInDurableObject(stub, (o: ListingObject) => {
    ;(o as unknown as { env: Env }).env = { ...(o as unknown as { env: Env }).env, ...(fake.queues as unknown as Partial<Env>) }
    o.now = () => new Date(later)
  })
  const firstSeq = (await stub.eventsSince(0)).length + 1
  for (let i = 0; i < 5; i++) expect((await stub.placeBid({ bidderId: userId(i), maxAmount: usd(2000 + i * 1000) })).ok).toBe(true)

  // The drain fails: the events stay in the outbox, the head with its attempts counted, nothing lost.
  await runDurableObjectAlarm(stub)
  const waiting = await stub.pendingOutbox()
  expect(waiting.map((w) => w.seq)).toEqual(expect.arrayContaining([firstSeq, firstSeq + 4]))
  expect(waiting[0]?.attempts).toBeGreaterThanOrEqual(1)
  expect(fake.sent).toEqual([])

  // The queue recovers; once the backoff has passed, the next alarm delivers them.
  fake.recover()
  later += 10 * 60_000
  expect(await runDurableObjectAlarm(stub)).toBe(true)
  expect(await stub.pendingOutbox()).toEqual([])
  const committed = (await stub.eventsSince(firstSeq - 1)).map((e) => e.id)
  const delivered = fake.sent.filter((m) => m.seq >= firstSeq)
  expect(delivered.map((m) => m.id)).toEqual(committed)
  expect(delivered.map((m) => m.seq)).toEqual(committed.map((_, i) => firstSeq + i))
  expect(delivered[0]).toMatchObject({ type: 'bid.placed', aggregateId: expect.stringMatching(/^lst_/), version: 1 })
  expect(delivered[0]?.private).toMatchObject({ bidderId: userId(0) })
})

it('never lets a newer event overtake one that is waiting out its backoff', async () => {
  const { stub } = await createAuction()
  const fake = fakeQueues()
  let later = Date.now()
  await runInDurableObject(stub, (o: ListingObject) => {
    ;(o as unknown as { env: Env }).env = { ...(o as unknown as { env: Env }).env, ...(fake.queues as unknown as Partial<Env>) }
    o.now = () => new Date(later)
  })
  const firstSeq = (await stub.eventsSince(0)).length + 1
  expect((await stub.placeBid({ bidderId: userId(1), maxAmount: usd(2000) })).ok).toBe(true)
  await runDurableObjectAlarm(stub) // fails: the head backs off
  fake.recover()
  // A newer event is due at once, but the head is not: nothing may go out yet.
  expect((await stub.placeBid({ bidderId: userId(2), maxAmount: usd(3000) })).ok).toBe(true)
  await runDurableObjectAlarm(stub)
  expect(fake.sent.filter((m) => m.seq >= firstSeq)).toEqual([])
  later += 10 * 60_000
  await runDurableObjectAlarm(stub)
  const seqs = fake.sent.filter((m) => m.seq >= firstSeq).map((m) => m.seq)
  expect(seqs).toEqual(seqs.map((_, i) => firstSeq + i))
  expect(seqs.length).toBeGreaterThanOrEqual(2)
})
