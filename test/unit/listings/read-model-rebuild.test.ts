import { describe, expect, it } from 'vitest'
import { chunkProgress, STALLED_AFTER_MS, stalledBefore, unclaimedStep } from '../../../src/listings/read-model-rebuild'

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
