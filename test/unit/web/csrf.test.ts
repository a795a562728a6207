import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crossSiteRefusal, csrfTokenFor, csrfTokenMatches } from '../../../src/web/csrf'

const own = 'https://souk.example'

describe('crossSiteRefusal', () => {
  it('lets through a request the browser says is same-origin, with or without our Origin', () => {
    expect(crossSiteRefusal({ origin: own, secFetchSite: 'same-origin' }, own)).toBeUndefined()
    expect(crossSiteRefusal({ secFetchSite: 'same-origin' }, own)).toBeUndefined()
    expect(crossSiteRefusal({ origin: own }, own)).toBeUndefined()
  })

  it('refuses another site, a sibling subdomain, a null origin, and a request that names neither', () => {
    expect(crossSiteRefusal({ origin: 'https://evil.example', secFetchSite: 'cross-site' }, own)).toMatch(/cross-site/)
    expect(crossSiteRefusal({ origin: 'https://shop.souk.example', secFetchSite: 'same-site' }, own)).toMatch(/same-site/)
    expect(crossSiteRefusal({ origin: 'null' }, own)).toMatch(/Origin null/)
    expect(crossSiteRefusal({ origin: `${own}:8443` }, own)).toMatch(/is not/)
    expect(crossSiteRefusal({ origin: own, secFetchSite: 'none' }, own)).toMatch(/none/)
    expect(crossSiteRefusal({}, own)).toMatch(/neither/)
  })

  it('lets through exactly the requests whose Origin (when sent) is ours and whose Sec-Fetch-Site (when sent) is same-origin', () => {
    const origins = fc.option(fc.constantFrom(own, 'https://evil.example', 'null', 'http://souk.example'), { nil: undefined })
    const sites = fc.option(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'), { nil: undefined })
    fc.assert(
      fc.property(origins, sites, (origin, secFetchSite) => {
        const allowed = (origin !== undefined || secFetchSite !== undefined) && (origin === undefined || origin === own) && (secFetchSite === undefined || secFetchSite === 'same-origin')
        expect(crossSiteRefusal({ origin, secFetchSite }, own) === undefined).toBe(allowed)
      }),
    )
  })
})

describe('the session’s CSRF token', () => {
  const session = 'st_01jd3v6w2k8m4n5p6q7r8s9t0vAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

  it('is the session’s own: it matches that session and no other, and is not the token itself', async () => {
    const token = await csrfTokenFor(session)
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect(token).not.toContain(session)
    expect(await csrfTokenMatches(session, token)).toBe(true)
    expect(await csrfTokenMatches(`${session.slice(0, -1)}B`, token)).toBe(false)
  })

  it('refuses a missing, empty, shortened, altered or non-text token', async () => {
    const token = await csrfTokenFor(session)
    for (const sent of [undefined, '', token.slice(0, 63), `${token.slice(0, 63)}${token.endsWith('0') ? '1' : '0'}`, token.toUpperCase(), 42, new Blob([token])]) {
      expect(await csrfTokenMatches(session, sent)).toBe(false)
    }
  })
})
