import { describe, expect, it } from 'vitest'
import { retryTransient } from '../../../src/platform/retry-transient'

const lost = () => Object.assign(new Error('Network connection lost.'), { retryable: true })
const overloaded = () => Object.assign(new Error('Durable Object is overloaded.'), { retryable: true, overloaded: true })

/** An operation that fails with each of `failures` in turn, then answers `value`; it counts its calls. */
function flaky<T>(failures: Error[], value: T) {
  const calls = { n: 0 }
  const op = () => {
    const failure = failures[calls.n++]
    return failure === undefined ? Promise.resolve(value) : Promise.reject(failure)
  }
  return { op, calls }
}

/** A sleep that records how long it was asked to wait and returns at once. */
function recordedSleep() {
  const waits: number[] = []
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) }
}

const ALMOST_ONE = 1 - 2 ** -53

describe('retryTransient', () => {
  it('answers the first success without waiting', async () => {
    const { op, calls } = flaky([], 'ok')
    const { waits, sleep } = recordedSleep()
    expect(await retryTransient(op, { sleep })).toBe('ok')
    expect(calls.n).toBe(1)
    expect(waits).toEqual([])
  })

  it('retries a retryable error and answers the success that follows', async () => {
    const { op, calls } = flaky([lost(), lost()], 'ok')
    const { waits, sleep } = recordedSleep()
    expect(await retryTransient(op, { sleep, random: () => ALMOST_ONE })).toBe('ok')
    expect(calls.n).toBe(3)
    expect(waits).toEqual([25, 50]) // full jitter at its ceiling: base, then base · 2
  })

  it('gives up after `attempts` calls and throws the last error as it came', async () => {
    const last = lost()
    const { op, calls } = flaky([lost(), lost(), last, lost()], 'never')
    const { waits, sleep } = recordedSleep()
    await expect(retryTransient(op, { sleep })).rejects.toBe(last)
    expect(calls.n).toBe(3)
    expect(waits).toHaveLength(2)
  })

  it('never retries an overloaded error: one call, thrown at once', async () => {
    const err = overloaded()
    const { op, calls } = flaky([err], 'never')
    const { waits, sleep } = recordedSleep()
    await expect(retryTransient(op, { sleep })).rejects.toBe(err)
    expect(calls.n).toBe(1)
    expect(waits).toEqual([])
  })

  it('never retries a bug', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'lease')")
    const { op, calls } = flaky([bug], 'never')
    await expect(retryTransient(op, { sleep: recordedSleep().sleep })).rejects.toBe(bug)
    expect(calls.n).toBe(1)
  })

  it('stops retrying as soon as an error is not worth retrying', async () => {
    const bug = new Error('D1_ERROR: UNIQUE constraint failed: orders.id')
    const { op, calls } = flaky([lost(), bug], 'never')
    await expect(retryTransient(op, { sleep: recordedSleep().sleep, attempts: 5 })).rejects.toBe(bug)
    expect(calls.n).toBe(2)
  })

  it('jitters each wait over [0, min(cap, base · 2^(n-1))] and never waits past the cap', async () => {
    const { op } = flaky([lost(), lost(), lost(), lost(), lost()], 'ok')
    const { waits, sleep } = recordedSleep()
    expect(await retryTransient(op, { sleep, random: () => ALMOST_ONE, attempts: 6, baseMs: 40, capMs: 100 })).toBe('ok')
    expect(waits).toEqual([40, 80, 100, 100, 100])

    const low = recordedSleep()
    await retryTransient(flaky([lost(), lost()], 'ok').op, { sleep: low.sleep, random: () => 0 })
    expect(low.waits).toEqual([0, 0])

    const mid = recordedSleep()
    await retryTransient(flaky([lost(), lost()], 'ok').op, { sleep: mid.sleep, random: () => 0.5 })
    expect(mid.waits).toEqual([Math.floor(0.5 * 26), Math.floor(0.5 * 51)])
  })

  it('with attempts: 1 it is a plain call', async () => {
    const err = lost()
    const { op, calls } = flaky([err], 'never')
    await expect(retryTransient(op, { attempts: 1, sleep: recordedSleep().sleep })).rejects.toBe(err)
    expect(calls.n).toBe(1)
  })

  it('waits on a real timer by default, briefly', async () => {
    const { op, calls } = flaky([lost()], 'ok')
    expect(await retryTransient(op, { random: () => 0 })).toBe('ok')
    expect(calls.n).toBe(2)
  })
})
