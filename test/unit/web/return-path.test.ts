import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { returnPath } from '../../../src/web/return-path'

describe('returnPath', () => {
  it('keeps a path under the console, with its query', () => {
    expect(returnPath('/admin/users', '/admin')).toBe('/admin/users')
    expect(returnPath('/admin', '/admin')).toBe('/admin')
    expect(returnPath('/admin/dead-letters?queue=souk-jobs&show=all', '/admin/dead-letters')).toBe('/admin/dead-letters?queue=souk-jobs&show=all')
  })

  it('sends anything else home: other hosts, schemes, other paths, look-alikes, non-text', () => {
    for (const next of ['//evil.example/admin', 'https://evil.example/admin', '/\\evil.example', '/administrator', '/admin//evil.example', '/v1/me', 'javascript:alert(1)', '/admin/<script>', undefined, 7, '']) {
      expect(returnPath(next, '/admin')).toBe('/admin')
    }
  })

  it('never answers anything that leaves the console', () => {
    fc.assert(
      fc.property(fc.string(), (next) => {
        const path = returnPath(next, '/admin')
        expect(path === '/admin' || path.startsWith('/admin/') || path.startsWith('/admin?')).toBe(true)
        expect(path).not.toContain('//')
        expect(path).not.toContain('\\')
      }),
    )
  })
})
