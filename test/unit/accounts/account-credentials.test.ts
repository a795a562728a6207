import { describe, expect, it } from 'vitest'
import { isForgettable, isLastUseStale, issueRefusal, liveApiKeys, MAX_LIVE_KEYS, vouch, type Standing, type StoredCredential } from '../../../src/accounts/account-credentials'

const NOW = new Date('2030-01-01T12:00:00Z')
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString()
const standing: Standing = { userId: 'usr_a', role: 'user', frozen: false, erased: false }

const session = (over: Partial<StoredCredential> = {}): StoredCredential => ({
  id: 'ses_1',
  kind: 'session',
  tokenHash: 'h',
  createdAt: iso(-1000),
  expiresAt: iso(60_000),
  revokedAt: null,
  name: null,
  prefix: null,
  scopes: null,
  lastUsedAt: null,
  ...over,
})
const key = (id: string, over: Partial<StoredCredential> = {}): StoredCredential =>
  session({ id, kind: 'api_key', expiresAt: null, name: id, prefix: 'sk_…abcd', scopes: ['listings:write'], ...over })

describe('vouch', () => {
  it('answers the caller of a live session, with the standing’s role and frozen flag', () => {
    expect(vouch({ ...standing, role: 'admin', frozen: true }, session(), NOW)).toEqual({
      userId: 'usr_a',
      role: 'admin',
      frozen: true,
      credential: { kind: 'session', id: 'ses_1' },
    })
  })

  it('answers an API key with the scopes it was made with, dropping scopes Souk no longer knows', () => {
    const k = key('key_1', { scopes: ['listings:write', 'retired:scope' as never] })
    expect(vouch(standing, k, NOW)?.credential).toEqual({ kind: 'api_key', id: 'key_1', scopes: ['listings:write'] })
  })

  it.each([
    ['a revoked credential', standing, session({ revokedAt: iso(-1) })],
    ['an expired session', standing, session({ expiresAt: iso(0) })],
    ['an erased account', { ...standing, erased: true }, session()],
    ['an account never opened', undefined, session()],
    ['an unknown token', standing, undefined],
  ])('vouches for nobody with %s', (_, s, c) => {
    expect(vouch(s, c, NOW)).toBeUndefined()
  })
})

describe('issueRefusal', () => {
  it('issues to an account in good standing', () => {
    expect(issueRefusal(standing, 'session', [], NOW)).toBeUndefined()
  })

  it('refuses an erased account, then a frozen one, anything', () => {
    expect(issueRefusal({ ...standing, erased: true, frozen: true }, 'session', [], NOW)).toBe('erased')
    expect(issueRefusal({ ...standing, frozen: true }, 'api_key', [], NOW)).toBe('frozen')
  })

  it(`refuses the ${MAX_LIVE_KEYS + 1}th live API key, counting neither revoked keys nor sessions`, () => {
    const live = Array.from({ length: MAX_LIVE_KEYS - 1 }, (_, i) => key(`key_${i}`))
    const ended = [key('key_x', { revokedAt: iso(-1) }), session()]
    expect(issueRefusal(standing, 'api_key', [...live, ...ended], NOW)).toBeUndefined()
    expect(issueRefusal(standing, 'api_key', [...live, key('key_last'), ...ended], NOW)).toBe('at_limit')
    expect(issueRefusal(standing, 'session', [...live, key('key_last')], NOW)).toBeUndefined()
  })
})

describe('isForgettable', () => {
  it('forgets credentials ended more than a week ago, keeps live and recently ended ones', () => {
    const week = 7 * 24 * 3_600_000
    expect(isForgettable(session({ expiresAt: iso(-week - 1) }), NOW)).toBe(true)
    expect(isForgettable(session({ expiresAt: iso(-week + 1) }), NOW)).toBe(false)
    expect(isForgettable(key('k', { revokedAt: iso(-week - 1) }), NOW)).toBe(true)
    expect(isForgettable(key('k'), NOW)).toBe(false)
  })
})

describe('isLastUseStale', () => {
  it('records an API key’s use at most once a minute, and never a session’s', () => {
    expect(isLastUseStale(key('k'), NOW)).toBe(true)
    expect(isLastUseStale(key('k', { lastUsedAt: iso(-59_999) }), NOW)).toBe(false)
    expect(isLastUseStale(key('k', { lastUsedAt: iso(-60_000) }), NOW)).toBe(true)
    expect(isLastUseStale(session(), NOW)).toBe(false)
  })
})

describe('liveApiKeys', () => {
  it('lists live keys newest first, a page after the cursor, one more than the limit', () => {
    const all = [key('key_1'), key('key_3'), key('key_2', { revokedAt: iso(-1) }), key('key_4'), session({ id: 'ses_9' })]
    expect(liveApiKeys(all, NOW, 1).map((k) => k.id)).toEqual(['key_4', 'key_3'])
    expect(liveApiKeys(all, NOW, 5, 'key_4').map((k) => k.id)).toEqual(['key_3', 'key_1'])
  })
})
