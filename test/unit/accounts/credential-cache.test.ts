import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredentialCache, MAX_CREDENTIAL_CACHE_MS } from '../../../src/accounts/credential-cache'
import type { Principal } from '../../../src/accounts/principal'

const T0 = Date.parse('2030-01-01T00:00:00Z')
const principal = (userId: string, credentialId = `ses_${userId}`): Principal => ({ userId, role: 'user', frozen: false, credential: { kind: 'session', id: credentialId } })

describe('CredentialCache', () => {
  it('trusts an answer for exactly its period and not a millisecond longer', () => {
    const cache = new CredentialCache(1000)
    cache.put('h1', principal('usr_a'), T0, null)
    expect(cache.get('h1', T0)).toEqual(principal('usr_a'))
    expect(cache.get('h1', T0 + 999)).toEqual(principal('usr_a'))
    expect(cache.get('h1', T0 + 1000)).toBeUndefined()
    // Once expired it is gone, even if the clock were to step back.
    expect(cache.get('h1', T0)).toBeUndefined()
  })

  it('never trusts a credential past its own end', () => {
    const cache = new CredentialCache(1000)
    cache.put('h1', principal('usr_a'), T0, new Date(T0 + 300).toISOString())
    expect(cache.get('h1', T0 + 299)).toBeDefined()
    expect(cache.get('h1', T0 + 300)).toBeUndefined()
    cache.put('h2', principal('usr_b'), T0, new Date(T0 - 1).toISOString())
    expect(cache.get('h2', T0)).toBeUndefined()
  })

  it('refuses a trust period over one second: that is the documented bound on revocation', () => {
    expect(() => new CredentialCache(MAX_CREDENTIAL_CACHE_MS + 1)).toThrow(RangeError)
    expect(() => new CredentialCache(-1)).toThrow(RangeError)
    expect(new CredentialCache(0).size).toBe(0)
  })

  it('with a period of 0 remembers nothing', () => {
    const cache = new CredentialCache(0)
    cache.put('h1', principal('usr_a'), T0, null)
    expect(cache.get('h1', T0)).toBeUndefined()
  })

  it('forgets a token, a credential by id, or every credential of a user, and nothing else', () => {
    const cache = new CredentialCache(1000)
    cache.put('h1', principal('usr_a', 'ses_1'), T0, null)
    cache.put('h2', principal('usr_a', 'key_2'), T0, null)
    cache.put('h3', principal('usr_b', 'ses_3'), T0, null)
    cache.put('h4', principal('usr_c', 'ses_4'), T0, null)
    cache.forgetToken('h4')
    expect(cache.get('h4', T0)).toBeUndefined()
    cache.forget({ credentialId: 'key_2' })
    expect(cache.get('h2', T0)).toBeUndefined()
    expect(cache.get('h1', T0)).toBeDefined()
    cache.forget({ userId: 'usr_a' })
    expect(cache.get('h1', T0)).toBeUndefined()
    expect(cache.get('h3', T0)).toBeDefined()
  })

  it('holds at most its capacity, dropping the oldest first', () => {
    const cache = new CredentialCache(1000, 3)
    for (const h of ['a', 'b', 'c', 'd']) cache.put(h, principal(`usr_${h}`), T0, null)
    expect(cache.size).toBe(3)
    expect(cache.get('a', T0)).toBeUndefined()
    expect(cache.get('d', T0)).toBeDefined()
  })

  it('answers only within the period after the last put, whatever the sequence (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ put: fc.boolean(), dt: fc.integer({ min: 0, max: 700 }) }), { maxLength: 30 }), (steps) => {
        const cache = new CredentialCache(1000)
        let now = T0
        let lastPut: number | undefined
        for (const step of steps) {
          now += step.dt
          if (step.put) {
            cache.put('h', principal('usr_a'), now, null)
            lastPut = now
          }
          const expected = lastPut !== undefined && now < lastPut + 1000
          expect(cache.get('h', now) !== undefined).toBe(expected)
          if (!expected) lastPut = undefined
        }
      }),
    )
  })
})
