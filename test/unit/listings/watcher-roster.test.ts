import { describe, expect, it } from 'vitest'
import { ADMISSION_GRACE_MS, admitted, chooseRelay, MAX_RELAYS, RELAY_CAPACITY, relaysNeeded, reported, totalWatchers, type Roster } from '../../../src/listings/watcher-roster'

const T = 1_000_000
/** `n` watchers admitted one after another, each to the relay `chooseRelay` picks. */
function admitMany(n: number, roster: Roster = {}): Roster {
  let r = roster
  for (let i = 0; i < n; i++) r = admitted(r, chooseRelay(r), T)
  return r
}

const loads = (roster: Roster) => Object.entries(roster).map(([shard, e]) => [Number(shard), e.watchers])

describe('relaysNeeded', () => {
  it('is one relay per RELAY_CAPACITY watchers, at least one and at most MAX_RELAYS', () => {
    expect(relaysNeeded(0)).toBe(1)
    expect(relaysNeeded(3)).toBe(1)
    expect(relaysNeeded(RELAY_CAPACITY)).toBe(1)
    expect(relaysNeeded(RELAY_CAPACITY + 1)).toBe(2)
    expect(relaysNeeded(10_000)).toBe(20)
    expect(relaysNeeded(RELAY_CAPACITY * MAX_RELAYS * 10)).toBe(MAX_RELAYS)
  })
})

describe('chooseRelay', () => {
  it('keeps a listing with a few watchers on one relay', () => {
    expect(loads(admitMany(3))).toEqual([[0, 3]])
  })

  it('opens a second relay only for the watcher past the first one’s capacity', () => {
    const full = admitMany(RELAY_CAPACITY)
    expect(loads(full)).toEqual([[0, RELAY_CAPACITY]])
    expect(chooseRelay(full)).toBe(1)
  })

  it('spreads ten thousand watchers evenly over twenty relays', () => {
    const roster = admitMany(10_000)
    expect(Object.keys(roster)).toHaveLength(20)
    expect(new Set(Object.values(roster).map((e) => e.watchers))).toEqual(new Set([RELAY_CAPACITY]))
    expect(totalWatchers(roster)).toBe(10_000)
  })

  it('sends a newcomer to the least loaded relay, the lowest shard on a tie', () => {
    const roster: Roster = { 0: { watchers: 400, admissions: 400, admittedAt: T }, 1: { watchers: 120, admissions: 500, admittedAt: T }, 2: { watchers: 120, admissions: 130, admittedAt: T } }
    expect(chooseRelay(roster)).toBe(1)
  })

  it('fills the relays that leavers emptied before opening more', () => {
    const roster: Roster = { 0: { watchers: 10, admissions: 500, admittedAt: T }, 1: { watchers: 500, admissions: 500, admittedAt: T } }
    expect(chooseRelay(roster)).toBe(0)
  })
})

describe('reported', () => {
  const roster: Roster = { 0: { watchers: 7, admissions: 9, admittedAt: T }, 1: { watchers: 2, admissions: 2, admittedAt: T } }
  const later = T + ADMISSION_GRACE_MS

  it('takes the relay’s count, plus the watchers sent to it after the forward left', () => {
    expect(reported(roster, 0, 4, 8, later)[0]).toEqual({ watchers: 5, admissions: 9, admittedAt: T })
  })

  it('drops a relay that holds nobody and was sent nobody meanwhile nor within the grace', () => {
    expect(reported(roster, 1, 0, 2, later)).toEqual({ 0: roster[0] })
  })

  it('keeps an empty relay that a newcomer is on the way to', () => {
    expect(reported(roster, 1, 0, 1, later)[1]).toEqual({ watchers: 1, admissions: 2, admittedAt: T })
  })

  it('keeps an empty relay sent a watcher within the grace, before the forward left: it may not have arrived yet', () => {
    // The first watcher of a listing is admitted, a bid commits, and the relay answers before the watcher gets there.
    const first = admitted({}, 0, T)
    expect(reported(first, 0, 0, 1, T + 10)).toEqual({ 0: { watchers: 0, admissions: 1, admittedAt: T } })
    expect(reported(first, 0, 0, 1, later - 1)).toHaveProperty('0')
    expect(reported(first, 0, 0, 1, later)).toEqual({})
  })

  it('ignores a relay it does not know', () => {
    expect(reported(roster, 5, 0, 0, later)).toBe(roster)
  })
})
