import { describe, expect, it } from 'vitest'
import type { RateLimitVerdict } from '../../../src/rate-limits/gcra'
import { rateLimitHeaders } from '../../../src/rate-limits/rate-limit-headers'

const WRITE = { limit: 60, windowSeconds: 60 }
const allowed = (over: Partial<RateLimitVerdict> = {}): RateLimitVerdict => ({
  allowed: true,
  limit: 60,
  remaining: 12,
  resetMs: 47_001,
  retryAfterMs: 0,
  ...over,
})
const denied = (retryAfterMs: number): RateLimitVerdict => ({ allowed: false, limit: 60, remaining: 0, resetMs: 60_000, retryAfterMs })

describe('rateLimitHeaders', () => {
  it('names the policy and what is left of it, with the reset rounded up to whole seconds', () => {
    expect(rateLimitHeaders('write', WRITE, allowed())).toEqual({
      'RateLimit-Policy': '"write";q=60;w=60',
      RateLimit: '"write";r=12;t=48',
    })
  })

  it('keys both fields by the class', () => {
    const headers = rateLimitHeaders('loginFailuresPerIp', { limit: 20, windowSeconds: 900 }, allowed({ remaining: 19, resetMs: 45_000 }))
    expect(headers).toEqual({
      'RateLimit-Policy': '"loginFailuresPerIp";q=20;w=900',
      RateLimit: '"loginFailuresPerIp";r=19;t=45',
    })
  })

  it('says t=0 when the quota is already whole', () => {
    expect(rateLimitHeaders('read', WRITE, allowed({ remaining: 60, resetMs: 0 })).RateLimit).toBe('"read";r=60;t=0')
  })

  it('adds Retry-After only on a denial', () => {
    expect(rateLimitHeaders('write', WRITE, allowed())).not.toHaveProperty('Retry-After')
    expect(rateLimitHeaders('write', WRITE, denied(1_000))).toEqual({
      'RateLimit-Policy': '"write";q=60;w=60',
      RateLimit: '"write";r=0;t=60',
      'Retry-After': '1',
    })
  })

  it.each([
    [0, '1'],
    [0.0001, '1'],
    [1, '1'],
    [999, '1'],
    [1_000, '1'],
    [1_001, '2'],
    [1_500, '2'],
    [59_999, '60'],
  ])('rounds a wait of %f ms up to whole seconds, never below 1: Retry-After %s', (ms, header) => {
    expect(rateLimitHeaders('write', WRITE, denied(ms))['Retry-After']).toBe(header)
  })
})
