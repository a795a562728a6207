import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runSaga, StepRejected, type Step } from '../../../src/core/saga'

type Ctx = { log: string[] }
const step = (name: string, behaviour: 'next' | 'halt' | 'throw' | 'reject' = 'next', opts: { pivot?: boolean; compensable?: boolean } = {}): Step<Ctx> => ({
  name,
  pivot: opts.pivot,
  run(ctx) {
    ctx.log.push(`run ${name}`)
    if (behaviour === 'throw') return Promise.reject(new Error(`${name} failed`))
    if (behaviour === 'reject') return Promise.reject(new StepRejected({ code: `${name}_refused` }))
    return Promise.resolve(behaviour)
  },
  ...(opts.compensable === false
    ? {}
    : {
        compensate(ctx) {
          ctx.log.push(`undo ${name}`)
          return Promise.resolve()
        },
      }),
})

describe('runSaga', () => {
  it('runs every step in order and compensates nothing when all go on', async () => {
    const ctx: Ctx = { log: [] }
    expect(await runSaga(ctx, [step('a'), step('b'), step('c')])).toBe('completed')
    expect(ctx.log).toEqual(['run a', 'run b', 'run c'])
  })

  it('stops at a halt and undoes nothing', async () => {
    const ctx: Ctx = { log: [] }
    expect(await runSaga(ctx, [step('a'), step('b', 'halt'), step('c')])).toBe('halted')
    expect(ctx.log).toEqual(['run a', 'run b'])
  })

  it('compensates the started steps newest first, the failing one included, and rethrows', async () => {
    const ctx: Ctx = { log: [] }
    await expect(runSaga(ctx, [step('a'), step('b'), step('c', 'reject'), step('d')])).rejects.toBeInstanceOf(StepRejected)
    expect(ctx.log).toEqual(['run a', 'run b', 'run c', 'undo c', 'undo b', 'undo a'])
  })

  it('compensates before the pivot when the pivot definitely refused', async () => {
    const ctx: Ctx = { log: [] }
    await expect(runSaga(ctx, [step('reserve'), step('charge', 'reject', { pivot: true, compensable: false })])).rejects.toMatchObject({ rejection: { code: 'charge_refused' } })
    expect(ctx.log).toEqual(['run reserve', 'run charge', 'undo reserve'])
  })

  it('undoes nothing for a fault that is not a definite refusal: a retry with the same key goes on from there', async () => {
    const ctx: Ctx = { log: [] }
    await expect(runSaga(ctx, [step('a'), step('b', 'throw'), step('c')])).rejects.toThrow('b failed')
    expect(ctx.log).toEqual(['run a', 'run b'])
  })

  it('undoes nothing when the pivot fails without a definite answer: the outcome is unknown', async () => {
    const ctx: Ctx = { log: [] }
    await expect(runSaga(ctx, [step('reserve'), step('charge', 'throw', { pivot: true, compensable: false })])).rejects.toThrow('charge failed')
    expect(ctx.log).toEqual(['run reserve', 'run charge'])
  })

  it('undoes nothing for a failure after the pivot: the saga is finished forward', async () => {
    const ctx: Ctx = { log: [] }
    await expect(runSaga(ctx, [step('reserve'), step('charge', 'next', { pivot: true }), step('record', 'reject')])).rejects.toBeInstanceOf(StepRejected)
    expect(ctx.log).toEqual(['run reserve', 'run charge', 'run record'])
  })

  it('compensates exactly the steps started before a failure, never one after it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.nat(), fc.option(fc.nat()), async (n, failAt, pivotAt) => {
        const fail = failAt % n
        const pivot = pivotAt === null ? -1 : pivotAt % n
        const names = Array.from({ length: n }, (_, i) => `s${i}`)
        const ctx: Ctx = { log: [] }
        const steps = names.map((name, i) => step(name, i === fail ? 'reject' : 'next', { pivot: i === pivot }))
        await expect(runSaga(ctx, steps)).rejects.toBeInstanceOf(StepRejected)
        const undone = ctx.log.filter((l) => l.startsWith('undo')).map((l) => l.slice(5))
        const expected = pivot >= 0 && pivot < fail ? [] : names.slice(0, fail + 1).reverse()
        expect(undone).toEqual(expected)
      }),
    )
  })
})
