import { describe, expect, it } from 'vitest'
import { isOverloaded, isRetryable, isTransient } from '../../../src/core/transient-error'

const flagged = (message: string, flags: { retryable?: boolean; overloaded?: boolean; remote?: boolean }) =>
  Object.assign(new Error(message), flags)

describe('isTransient', () => {
  it.each([
    ['a DO error flagged retryable', flagged('anything at all', { retryable: true })],
    ['a DO error flagged overloaded', flagged('anything at all', { overloaded: true })],
    ['a lost connection', new Error('Network connection lost.')],
    ['a storage reset', new Error('Durable Object storage caused object to be reset.')],
    ['a storage timeout reset', new Error('Durable Object storage operation exceeded timeout which caused object to be reset.')],
    ['a code update reset', new Error('Durable Object reset because its code was updated.')],
    ['an internal error', new Error('internal error; reference = 0123abcd')],
    ['an overloaded object', new Error('Durable Object is overloaded. Too many requests queued.')],
    ['a D1 queue overflow', new Error('D1_ERROR: D1 DB is overloaded. Too many requests queued.')],
    ['a D1 transient node', new Error('D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.')],
    ['a D1 reset', new Error('D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.')],
    ['a timeout', new Error('D1_ERROR: the query timed out')],
  ])('is true for %s', (_name, err) => {
    expect(isTransient(err)).toBe(true)
  })

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a bug whose message looks transient', new TypeError('Network connection lost.')],
    ['a range error mentioning a timeout', new RangeError('timed out waiting for an index that does not exist')],
    ['a constraint violation', new Error('D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT')],
    ['an error a DO method threw itself', flagged('idempotency record does not open with its own key', { remote: true })],
    ['an explicit retryable: false', flagged('no such table: orders', { retryable: false })],
    ['a word that only contains a marker', new Error('internal_error')],
    ['a string', 'Network connection lost.'],
    ['an object shaped like an error', { message: 'Network connection lost.', retryable: true }],
    ['undefined', undefined],
    ['null', null],
  ])('is false for %s', (_name, err) => {
    expect(isTransient(err)).toBe(false)
  })

  it('counts a platform flag even on a TypeError: the platform knows better than the class', () => {
    expect(isTransient(Object.assign(new TypeError('fetch failed'), { retryable: true }))).toBe(true)
  })

  it('looks through a wrapper to its cause (drizzle wraps D1 errors), a few levels deep', () => {
    const d1 = new Error('D1_ERROR: Network connection lost.')
    const drizzle = new Error('Failed query: insert into "orders" …', { cause: d1 })
    expect(isTransient(drizzle)).toBe(true)
    expect(isTransient(new Error('outer', { cause: drizzle }))).toBe(true)
    expect(isTransient(new Error('Failed query: select 1', { cause: new Error('no such column: x') }))).toBe(false)
  })

  it('stops on a cause cycle', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    Object.assign(a, { cause: b })
    expect(isTransient(a)).toBe(false)
  })
})

describe('isOverloaded and isRetryable', () => {
  it('an overloaded error is transient but never retryable, whether flagged or told by its message', () => {
    for (const err of [
      flagged('Durable Object is overloaded. Too many requests queued.', { retryable: true, overloaded: true }),
      flagged('whatever', { overloaded: true }),
      new Error('Too many requests queued for this Durable Object.'),
      new Error('D1_ERROR: D1 DB is overloaded.'),
    ]) {
      expect(isTransient(err)).toBe(true)
      expect(isOverloaded(err)).toBe(true)
      expect(isRetryable(err)).toBe(false)
    }
  })

  it('a reset or a lost connection is retryable and not overloaded', () => {
    for (const err of [flagged('Network connection lost.', { retryable: true }), new Error('storage caused object to be reset')]) {
      expect(isOverloaded(err)).toBe(false)
      expect(isRetryable(err)).toBe(true)
    }
  })

  it('a bug is neither', () => {
    const bug = new TypeError('x is not a function')
    expect(isOverloaded(bug)).toBe(false)
    expect(isRetryable(bug)).toBe(false)
  })
})
