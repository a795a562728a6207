import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { afterClearing, chunkProgress, firstPhase, STALLED_AFTER_MS, stalledBefore, unclaimedStep } from '../../../src/listings/read-model-rebuild'

describe('a rebuild step that could not claim its chunk', () => {
  it('is dropped when its rebuild is gone, over, or already past it', () => {
    expect(unclaimedStep(undefined, 3)).toBe('drop')
    expect(unclaimedStep({ status: 'done', step: 3 }, 3)).toBe('drop')
    expect(unclaimedStep({ status: 'abandoned', step: 0 }, 3)).toBe('drop')
    expect(unclaimedStep({ status: 'running', step: 4 }, 3)).toBe('drop')
  })

  it('waits while its chunk is leased to another delivery, or its predecessor has not recorded itself', () => {
    expect(unclaimedStep({ status: 'running', step: 3 }, 3)).toBe('wait')
    expect(unclaimedStep({ status: 'running', step: 2 }, 3)).toBe('wait')
  })
})

describe('rebuild progress', () => {
  it('counts registered ids without a listing apart from applied snapshots', () => {
    expect(chunkProgress([{}, null, {}, null, null])).toEqual({ processed: 2, missing: 3 })
    expect(chunkProgress([])).toEqual({ processed: 0, missing: 0 })
  })

  it('calls a running rebuild stalled once it has not moved for STALLED_AFTER_MS', () => {
    const now = new Date('2026-05-01T12:00:00.000Z')
    expect(Date.parse(stalledBefore(now))).toBe(now.getTime() - STALLED_AFTER_MS)
  })
})

describe('clearing the read model before a rebuild from scratch', () => {
  it('starts by clearing listings only when asked to start from scratch', () => {
    expect(firstPhase(true)).toBe('clearing_listings')
    expect(firstPhase(false)).toBe('walking')
  })

  it('moves the cursor to the last id of a full chunk, whatever order the ids came back in', () => {
    expect(afterClearing('clearing_listings', ['lst_b', 'lst_c', 'lst_a'], 3)).toEqual({ phase: 'clearing_listings', cursor: 'lst_c', cleared: 3 })
    expect(afterClearing('clearing_offers', ['off_2', 'off_1'], 2)).toEqual({ phase: 'clearing_offers', cursor: 'off_2', cleared: 2 })
  })

  it('goes from listings to offers to the walk once a chunk comes back short, the cursor starting over', () => {
    expect(afterClearing('clearing_listings', ['lst_a'], 3)).toEqual({ phase: 'clearing_offers', cursor: null, cleared: 1 })
    expect(afterClearing('clearing_listings', [], 3)).toEqual({ phase: 'clearing_offers', cursor: null, cleared: 0 })
    expect(afterClearing('clearing_offers', [], 3)).toEqual({ phase: 'walking', cursor: null, cleared: 0 })
  })

  it('clears a table of any size in ceil((n + 1) / limit) steps at most, deleting each row once, in id order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (ids, limit) => {
        const table = [...ids].sort()
        let state: { phase: string; cursor: string | null } = { phase: 'clearing_listings', cursor: null }
        const deletedAll: string[] = []
        let steps = 0
        while (state.phase === 'clearing_listings') {
          const cursor = state.cursor
          const chunk = table.filter((id) => cursor === null || id > cursor).slice(0, limit)
          deletedAll.push(...chunk)
          const next = afterClearing('clearing_listings', [...chunk].reverse(), limit)
          expect(next.cleared).toBe(chunk.length)
          state = next
          steps++
        }
        expect(deletedAll).toEqual(table)
        expect(state).toMatchObject({ phase: 'clearing_offers', cursor: null })
        expect(steps).toBeLessThanOrEqual(Math.floor(table.length / limit) + 1)
      }),
    )
  })
})
