import { Hono, type Context } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../src/accounts/principal'
import type { AppEnv } from '../../../src/env'
import { rejectFrozen } from '../../../src/http/reject-frozen'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { apiKeyUser, captureLog, problemOf, sessionUser, testContext } from './harness'

/** Mounted as in src/app.ts: on the /v1 router, after the caller is known. */
function testApp(principal?: Principal) {
  const ran: string[] = []
  const handler = (c: Context<AppEnv>) => {
    ran.push(`${c.req.method} ${c.req.path}`)
    return c.text('handler ran')
  }
  const v1 = new Hono<AppEnv>()
    .use(rejectFrozen())
    .on(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], '/listings/:id', handler)
    .post('/auth/logout', handler)
    .post('/auth/login', handler)
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: captureLog().log, principal }))
    .route('/v1', v1)
  return { app, ran }
}

const frozen = sessionUser({ frozen: true })

describe('rejectFrozen', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s by a frozen account with 403 account_frozen, before the handler', async (method) => {
    const { app, ran } = testApp(frozen)

    const body = await problemOf(await app.request('/v1/listings/lst_1', { method }), 403)

    expect(body).toMatchObject({ code: 'account_frozen', detail: 'A frozen account may read but not change anything' })
    expect(ran).toEqual([])
  })

  it('refuses a frozen account whichever credential it uses', async () => {
    const { app, ran } = testApp(apiKeyUser(['orders:write'], { frozen: true }))

    expect((await problemOf(await app.request('/v1/listings/lst_1', { method: 'POST' }), 403)).code).toBe('account_frozen')
    expect(ran).toEqual([])
  })

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a frozen account %s', async (method) => {
    const { app, ran } = testApp(frozen)

    const res = await app.request('/v1/listings/lst_1', { method })

    expect(res.status).toBe(200)
    expect(ran).toEqual([`${method} /v1/listings/lst_1`])
  })

  it('lets a frozen account log out', async () => {
    const { app, ran } = testApp(frozen)

    const res = await app.request('/v1/auth/logout', { method: 'POST' })

    expect(await res.text()).toBe('handler ran')
    expect(ran).toEqual(['POST /v1/auth/logout'])
  })

  it('makes no exception for other auth routes', async () => {
    const { app, ran } = testApp(frozen)

    expect((await problemOf(await app.request('/v1/auth/login', { method: 'POST' }), 403)).code).toBe('account_frozen')
    expect(ran).toEqual([])
  })

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'GET'])('leaves an account that is not frozen alone (%s)', async (method) => {
    const { app, ran } = testApp(sessionUser({ frozen: false }))

    const res = await app.request('/v1/listings/lst_1', { method })

    expect(res.status).toBe(200)
    expect(ran).toHaveLength(1)
  })

  it('leaves an anonymous request alone', async () => {
    const { app, ran } = testApp()

    const res = await app.request('/v1/listings/lst_1', { method: 'DELETE' })

    expect(res.status).toBe(200)
    expect(ran).toEqual(['DELETE /v1/listings/lst_1'])
  })
})
