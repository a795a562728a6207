import { describe, expect, it } from 'vitest'
import { codeAt } from '../../../src/accounts/totp'
import { call as apiCall, json, PASSWORD, register, uniqueEmail, type Registered } from '../support/api'
import { call, form, page, sameOrigin, SESSION_COOKIE } from '../support/pages'

/**
 * The site's login, registration and logout (web/site/account-routes.tsx), through the real
 * worker: registration is the API's, login is the API's with its second factor, the session goes
 * into the same cookie the console uses, and `next` never leaves the site.
 */

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = sameOrigin, session?: string) => {
  const f = form(fields)
  const init = { method: 'POST', body: f.body, headers: { ...f.headers, ...headers } }
  return session ? page(path, session, init) : call(path, init)
}

const sessionOf = (res: Response): string | undefined => new RegExp(`${SESSION_COOKIE}=(st_[A-Za-z0-9_-]+)`).exec(res.headers.get('set-cookie') ?? '')?.[1]

/** The form token the site's pages hand a session's forms (the header's "Log out" form carries it). */
async function siteCsrfOf(session: string): Promise<string> {
  const html = await (await page('/listings/not-a-listing', session)).text()
  const token = /name="csrf" value="([0-9a-f]{64})"/.exec(html)?.[1]
  expect(token).toBeDefined()
  return token!
}

describe('registration', () => {
  it('shows a labelled form with the return path, under the pages’ CSP', async () => {
    const res = await call('/register?next=%2Flistings%2Flst_01jd3v6w2k8m4n5p6q7r8s9t0v')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self';/)
    const html = await res.text()
    expect(html).toContain('<html lang="en">')
    expect(html).toContain('name="next" value="/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v"')
    for (const name of ['email', 'displayName', 'password']) expect(html).toMatch(new RegExp(`<label>[^<]*<input[^>]*name="${name}"`))
  })

  it('creates the account through the API, signs the person in and sends them back', async () => {
    const email = uniqueEmail('site-register')
    const res = await post('/register', { email, displayName: 'Noor', password: PASSWORD, next: '/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v')
    const session = sessionOf(res)
    expect(session).toBeDefined()
    const me = await json<{ email: string; displayName: string }>(await apiCall('/v1/me', { token: session! }))
    expect(me).toMatchObject({ email, displayName: 'Noor' })
  })

  it('shows the API’s reason and keeps what was typed: a taken e-mail (409), a short password (400); nobody signed in', async () => {
    const existing = await register('site-taken')
    const taken = await post('/register', { email: existing.user.email, displayName: 'Again', password: PASSWORD })
    expect(taken.status).toBe(409)
    expect(sessionOf(taken)).toBeUndefined()
    const takenHtml = await taken.text()
    expect(takenHtml).toContain('already exists')
    expect(takenHtml).toContain('value="Again"')

    const email = uniqueEmail('site-short')
    const short = await post('/register', { email, displayName: 'Short', password: 'short' })
    expect(short.status).toBe(400)
    expect(sessionOf(short)).toBeUndefined()
    expect(await short.text()).toContain('password: must be at least 10 characters')
    // Nothing was made: logging in with that address fails.
    expect((await apiCall('/v1/auth/login', { method: 'POST', json: { email, password: 'short' } })).status).toBe(401)
  })

  it('refuses a registration posted from another origin: 403, no account', async () => {
    const email = uniqueEmail('site-csrf')
    const res = await post('/register', { email, displayName: 'Evil', password: PASSWORD }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
    expect(res.status).toBe(403)
    expect((await apiCall('/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status).toBe(401)
  })
})

describe('login and logout', () => {
  it('logs in and returns to `next`; never to another host', async () => {
    const who = await register('site-login')
    const ok = await post('/login', { email: who.user.email, password: PASSWORD, next: '/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v?x=1' })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('/listings/lst_01jd3v6w2k8m4n5p6q7r8s9t0v?x=1')
    expect(sessionOf(ok)).toBeDefined()

    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await post('/login', { email: who.user.email, password: PASSWORD, next })
      expect(res.headers.get('location')).toBe('/')
    }
    // Signed in already: the login page sends the person on.
    const again = await page('/login?next=%2Fme', sessionOf(ok)!)
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/me')
  })

  it('re-shows the form on a wrong password (401) without a session', async () => {
    const who = await register('site-wrong')
    const res = await post('/login', { email: who.user.email, password: 'not the password', next: '/' })
    expect(res.status).toBe(401)
    expect(sessionOf(res)).toBeUndefined()
    const html = await res.text()
    expect(html).toContain('Wrong e-mail or password.')
    expect(html).toContain(`value="${who.user.email}"`)
  })

  it('asks for the authenticator code when the account has TOTP on, and takes it', async () => {
    const who: Registered = await register('site-totp')
    const { secret } = await json<{ secret: string }>(await apiCall('/v1/me/mfa/totp', { method: 'POST', token: who.token }))
    expect((await apiCall('/v1/me/mfa/totp/verify', { method: 'POST', token: who.token, json: { code: codeAt(secret, Date.now()) } })).status).toBe(200)

    const without = await post('/login', { email: who.user.email, password: PASSWORD, next: '/' })
    expect(without.status).toBe(401)
    expect(sessionOf(without)).toBeUndefined()
    expect(await without.text()).toContain('Authenticator code (required for this account)')

    // The verify call used this period's code, and a code is accepted once: sign in with the next period's.
    const withCode = await post('/login', { email: who.user.email, password: PASSWORD, code: codeAt(secret, Date.now() + 30_000), next: '/' })
    expect(withCode.status).toBe(303)
    expect(sessionOf(withCode)).toBeDefined()
  })

  it('logs out: the cookie is cleared and the token refused; a logout without the form token is refused and ends nothing', async () => {
    const who = await register('site-logout')
    const session = sessionOf(await post('/login', { email: who.user.email, password: PASSWORD, next: '/' }))!

    const forged = await post('/logout', {}, sameOrigin, session)
    expect(forged.status).toBe(403)
    expect((await apiCall('/v1/me', { token: session })).status).toBe(200)

    const out = await post('/logout', { csrf: await siteCsrfOf(session) }, sameOrigin, session)
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/')
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`))
    expect((await apiCall('/v1/me', { token: session })).status).toBe(401)
  })
})
