import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { json, makeStaff, PASSWORD, register, type Registered } from '../support/api'
import { call, csrfOf, flashCookie, form, logInToConsole, page, sameOrigin, SESSION_COOKIE } from '../support/pages'

/**
 * The console's session and CSRF locks, through the real worker: the session cookie is the API's
 * session token, checked as a bearer token is; every POST must come from this origin and carry
 * the session's form token, or it is refused with 403 and changes nothing.
 */

const COOKIE = SESSION_COOKIE
const logIn = (who: Registered) => logInToConsole(who)

async function staff(role: 'admin' | 'support'): Promise<Registered> {
  const who = await register(`console-${role}`)
  await makeStaff(who.user.id, role)
  return who
}

const frozenAt = async (userId: string) => (await env.DB.prepare('SELECT frozen_at FROM users WHERE id = ?').bind(userId).first<{ frozen_at: string | null }>())?.frozen_at ?? null

describe('the console session', () => {
  it('sends a visitor without a session to the login form, and sets an HttpOnly, SameSite=Strict, Secure, __Host- cookie on login', async () => {
    const anon = await call('/admin/reviews')
    expect(anon.status).toBe(303)
    expect(anon.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Freviews')

    const admin = await staff('admin')
    const f = form({ email: admin.user.email, password: PASSWORD, next: '/admin/reviews' })
    const res = await call('/admin/login', { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(res.status).toBe(303)
    const set = res.headers.get('set-cookie') ?? ''
    expect(set).toMatch(new RegExp(`^${COOKIE}=st_`))
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/']) expect(set).toContain(attribute)

    const cookie = /=(st_[^;]+)/.exec(set)![1]!
    const reviews = await page('/admin/reviews', cookie)
    expect(reviews.status).toBe(200)
    expect(reviews.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self';/)
    expect(reviews.headers.get('cache-control')).toBe('no-store')
    expect(await reviews.text()).toContain('Risk reviews')
  })

  it('logs in through the same checks as the API: a wrong password re-shows the form (401), audited as a failed login', async () => {
    const admin = await staff('admin')
    const f = form({ email: admin.user.email, password: 'not the password', next: '/admin' })
    const res = await call('/admin/login', { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie') ?? '').not.toContain(COOKIE)
    expect(await res.text()).toContain('Wrong e-mail or password.')
    const [failed] = await auditLogStub(env).list({ limit: 1, action: 'login.failed', subjectId: admin.user.id })
    expect(failed).toMatchObject({ details: { reason: 'password' } })
  })

  it('never sends a login anywhere but the console (no open redirect)', async () => {
    const admin = await staff('admin')
    const f = form({ email: admin.user.email, password: PASSWORD, next: '//evil.example/admin' })
    const res = await call('/admin/login', { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(res.headers.get('location')).toBe('/admin')
  })

  it('refuses a non-staff session with a 403 page, and support the admins’ pages', async () => {
    const user = await register('console-user')
    const userCookie = await logIn(user)
    const refused = await page('/admin/reviews', userCookie)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await refused.text()).toContain('the console is for staff')

    const support = await staff('support')
    const supportCookie = await logIn(support)
    expect((await page('/admin/reviews', supportCookie)).status).toBe(200)
    expect((await page('/admin/dead-letters', supportCookie)).status).toBe(403)
    expect((await page('/admin/audit', supportCookie)).status).toBe(403)
  })

  it('ends the session on logout: the cookie is cleared and its token refused, on the pages and the API', async () => {
    const admin = await staff('admin')
    const cookie = await logIn(admin)
    const csrf = await csrfOf(cookie)
    const f = form({ csrf })
    const out = await page('/admin/logout', cookie, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/admin/login')
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=;.*Max-Age=0`))

    const after = await page('/admin/users', cookie)
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/^\/admin\/login/)
    expect((await call('/v1/me', { token: cookie })).status).toBe(401)
  })
})

describe('CSRF on the console’s actions', () => {
  it('refuses a freeze without the form token, with another session’s token, from another origin or with no origin at all: 403, nobody frozen', async () => {
    const admin = await staff('admin')
    const target = await register('console-target')
    const cookie = await logIn(admin)
    const csrf = await csrfOf(cookie)
    const other = await logIn(await staff('admin'))
    const othersToken = await csrfOf(other)
    const freeze = (fields: Record<string, string>, headers: Record<string, string>) => {
      const f = form(fields)
      return page(`/admin/users/${target.user.id}/freeze`, cookie, { method: 'POST', body: f.body, headers: { ...f.headers, ...headers } })
    }

    const attempts = [
      freeze({}, sameOrigin),
      freeze({ csrf: othersToken }, sameOrigin),
      freeze({ csrf: 'f'.repeat(64) }, sameOrigin),
      freeze({ csrf }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
      freeze({ csrf }, { origin: 'https://evil.example' }),
      freeze({ csrf }, { 'sec-fetch-site': 'same-site' }),
      freeze({ csrf }, {}),
    ]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403)
      expect(await res.text()).toMatch(/CSRF token|Cross-site request refused/)
    }
    expect(await frozenAt(target.user.id)).toBeNull()
    expect(await auditLogStub(env).list({ limit: 1, action: 'account.frozen', subjectId: target.user.id })).toEqual([])

    const done = await freeze({ csrf }, sameOrigin)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe(`/admin/users?id=${target.user.id}`)
    expect(await frozenAt(target.user.id)).not.toBeNull()
    const [entry] = await auditLogStub(env).list({ limit: 1, action: 'account.frozen', subjectId: target.user.id })
    expect(entry).toMatchObject({ actorId: admin.user.id })
    // The frozen person's API calls are refused now (their sessions ended with the freeze).
    expect((await call('/v1/me', { token: target.token })).status).toBe(401)
    // Back on the page, the action's flash (a cookie of its own) says what was done.
    const shown = await (await page(`/admin/users?id=${target.user.id}`, cookie, {}, flashCookie(done))).text()
    expect(shown).toContain(`Froze ${target.user.id}`)
    expect(shown).toMatch(/class="standing">frozen</)
  })

  it('refuses a login form posted from another site (login CSRF)', async () => {
    const admin = await staff('admin')
    const f = form({ email: admin.user.email, password: PASSWORD })
    const res = await call('/admin/login', { method: 'POST', body: f.body, headers: { ...f.headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie') ?? '').not.toContain(COOKIE)
  })

  it('follows the JSON route’s policy for each action: support may freeze, but not replay a dead letter', async () => {
    const support = await staff('support')
    const cookie = await logIn(support)
    const csrf = await csrfOf(cookie)
    const f = form({ csrf })
    const res = await page('/admin/dead-letters/dl_nothing/replay', cookie, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(res.status).toBe(403)
    const target = await register('console-target')
    const frozen = await page(`/admin/users/${target.user.id}/freeze`, cookie, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(frozen.status).toBe(303)
    expect(await frozenAt(target.user.id)).not.toBeNull()
    expect((await json<{ user: { frozen: boolean } }>(await call(`/v1/admin/users/${target.user.id}`, { token: support.token }))).user.frozen).toBe(true)
  })
})
