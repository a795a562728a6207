import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runGrouped } from '../../../src/core/run-grouped'

type Item = { key: string; n: number; ms: number }
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('runGrouped', () => {
  it('keeps each key’s items in order while keys run side by side', async () => {
    const items: Item[] = [
      { key: 'a', n: 1, ms: 20 },
      { key: 'b', n: 1, ms: 1 },
      { key: 'a', n: 2, ms: 1 },
      { key: 'b', n: 2, ms: 1 },
    ]
    const done: string[] = []
    await runGrouped(items, (i) => i.key, 4, async (i) => {
      await tick(i.ms)
      done.push(`${i.key}${i.n}`)
    })
    // b finished both while a's first was still running; a kept its order.
    expect(done).toEqual(['b1', 'b2', 'a1', 'a2'])
  })

  it('runs at most `concurrency` keys at once', async () => {
    let running = 0
    let most = 0
    const items = Array.from({ length: 12 }, (_, n) => ({ key: `k${n % 6}`, n, ms: 2 }))
    await runGrouped(items, (i) => i.key, 3, async (i) => {
      running++
      most = Math.max(most, running)
      await tick(i.ms)
      running--
    })
    expect(most).toBe(3)
  })

  it('does every item exactly once, in order within its key (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), ms: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), async (raw, concurrency) => {
        const items = raw.map((r, n) => ({ ...r, n }))
        const done: Item[] = []
        await runGrouped(items, (i) => i.key, concurrency, async (i) => {
          await tick(i.ms)
          done.push(i)
        })
        expect([...done].sort((x, y) => x.n - y.n)).toEqual(items)
        for (const key of ['a', 'b', 'c', 'd']) expect(done.filter((i) => i.key === key).map((i) => i.n)).toEqual(items.filter((i) => i.key === key).map((i) => i.n))
      }),
      { numRuns: 50 },
    )
  })
})
