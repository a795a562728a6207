import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_REPLAY } from '../../../src/listings/live-message'
import { afterFailure, afterReceipt, freshLane, nextForward, RELAY_BATCH_LIMIT, type Lane } from '../../../src/listings/relay-forwarding'

const NOW = 1_000_000
const inFlight = (lane: Lane): Lane => ({ ...lane, inFlight: true })

describe('nextForward', () => {
  it('sends what the relay lacks', () => {
    expect(nextForward(freshLane(4), 6, NOW)).toEqual({ kind: 'events', after: 4, upTo: 6 })
  })

  it('sends nothing to a relay that has everything', () => {
    expect(nextForward(freshLane(6), 6, NOW)).toBeNull()
  })

  it('waits while a forward is in flight, then sends everything committed meanwhile in one (coalescing)', () => {
    const lane = inFlight(freshLane(4))
    expect(nextForward(lane, 5, NOW)).toBeNull()
    expect(nextForward(lane, 9, NOW)).toBeNull()
    const answered = afterReceipt(lane, { accepted: true, deliveredUpTo: 5, watchers: 3 }, 5)
    expect(nextForward(answered, 9, NOW)).toEqual({ kind: 'events', after: 5, upTo: 9 })
  })

  it('sends at most RELAY_BATCH_LIMIT events at a time', () => {
    expect(nextForward(freshLane(0), 250, NOW)).toEqual({ kind: 'events', after: 0, upTo: RELAY_BATCH_LIMIT })
  })

  it('sends a relay more than MAX_REPLAY behind one resync instead of the events', () => {
    expect(nextForward(freshLane(10), 10 + MAX_REPLAY + 1, NOW)).toEqual({ kind: 'resync', missed: MAX_REPLAY + 1 })
    expect(nextForward(freshLane(10), 10 + MAX_REPLAY, NOW)).toMatchObject({ kind: 'events' })
  })

  it('asks a relay how far it got when the listing does not know (after a restart)', () => {
    expect(nextForward(freshLane(null), 6, NOW)).toEqual({ kind: 'probe' })
  })

  it('leaves a relay whose forward failed alone until its retry is due', () => {
    const failed = afterFailure(inFlight(freshLane(4)), NOW, 500)
    expect(failed).toMatchObject({ inFlight: false, failures: 1, retryAt: NOW + 500, sentUpTo: 4 })
    expect(nextForward(failed, 6, NOW + 499)).toBeNull()
    expect(nextForward(failed, 6, NOW + 500)).toEqual({ kind: 'events', after: 4, upTo: 6 })
  })
})

describe('afterReceipt', () => {
  it('resends from where a relay that refused a gap says it stands', () => {
    const lane = afterReceipt(inFlight(freshLane(8)), { accepted: false, deliveredUpTo: 3, watchers: 2 }, 9)
    expect(nextForward(lane, 9, NOW)).toEqual({ kind: 'events', after: 3, upTo: 9 })
  })

  it('takes a relay that never delivered anything to have everything sent so far', () => {
    expect(afterReceipt(inFlight(freshLane(null)), { accepted: true, deliveredUpTo: null, watchers: 0 }, 7).sentUpTo).toBe(7)
  })

  it('clears the failures once a forward goes through', () => {
    const failed = afterFailure(inFlight(freshLane(4)), NOW, 500)
    expect(afterReceipt(failed, { accepted: true, deliveredUpTo: 6, watchers: 1 }, 6)).toEqual(freshLane(6))
  })
})

/**
 * A relay as the lane sees it: it delivers a batch only if it follows on from what it has (else
 * it refuses and says where it stands), and drops what it already has.
 */
function relayModel() {
  const delivered: number[] = []
  return {
    delivered,
    take(after: number, upTo: number) {
      const at = delivered.at(-1) ?? 0
      if (after > at) return { accepted: false, deliveredUpTo: at, watchers: 1 }
      for (let seq = at + 1; seq <= upTo; seq++) delivered.push(seq)
      return { accepted: true, deliveredUpTo: Math.max(at, upTo), watchers: 1 }
    },
  }
}

type Flight = { after: number; upTo: number; lastSeqAtSend: number }

describe('a lane over any interleaving of commits, answers and failures', () => {
  it('gets every event to the relay once, in seq order', () => {
    const step = fc.constantFrom('commit', 'burst', 'send', 'answer', 'fail', 'lose')
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const relay = relayModel()
        let lane = freshLane(0)
        let lastSeq = 0
        let flying: Flight | null = null
        let now = NOW
        const send = (): Flight | null => {
          const f = nextForward(lane, lastSeq, now)
          if (f?.kind !== 'events') return null
          lane = { ...lane, inFlight: true }
          return { after: f.after, upTo: f.upTo, lastSeqAtSend: lastSeq }
        }
        for (const s of steps) {
          now += 100
          if (s === 'commit') lastSeq += 1
          else if (s === 'burst') lastSeq += 5 // never more than MAX_REPLAY behind: no resync here
          else if (s === 'send') flying = flying ?? send()
          else if (flying && s === 'answer') {
            lane = afterReceipt(lane, relay.take(flying.after, flying.upTo), flying.lastSeqAtSend)
            flying = null
          } else if (flying && s === 'fail') {
            lane = afterFailure(lane, now, 250)
            flying = null
          } else if (flying && s === 'lose') {
            // Delivered, but the answer was lost: the lane retries what the relay already has.
            relay.take(flying.after, flying.upTo)
            lane = afterFailure(lane, now, 250)
            flying = null
          }
        }
        // Then the relay answers everything until the lane is idle.
        for (let i = 0; i < 1000 && (flying || (lane.sentUpTo ?? 0) < lastSeq); i++) {
          now += 1000
          const f = flying ?? send()
          if (f) lane = afterReceipt(lane, relay.take(f.after, f.upTo), f.lastSeqAtSend)
          flying = null
        }
        expect(relay.delivered).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1))
      }),
    )
  })
})
