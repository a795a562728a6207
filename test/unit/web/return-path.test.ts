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

  it('under the site’s home (/) keeps any path of this site, and nothing else', () => {
    expect(returnPath('/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v', '/')).toBe('/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v')
    expect(returnPath('/?q=lamp&sort=price_asc', '/')).toBe('/?q=lamp&sort=price_asc')
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'evil.example', '/me//x', undefined]) expect(returnPath(next, '/')).toBe('/')
    fc.assert(
      fc.property(fc.string(), (next) => {
        const path = returnPath(next, '/')
        expect(path.startsWith('/')).toBe(true)
        expect(path).not.toContain('//')
        expect(path).not.toContain('\\')
      }),
    )
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
