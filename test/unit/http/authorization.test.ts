import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Action, Refusal, Resource } from '../../../src/accounts/policy'
import type { Principal } from '../../../src/accounts/principal'
import type { AppEnv } from '../../../src/env'
import { authorizeRequest, principalOf, refusalProblem, requireAccess } from '../../../src/http/authorization'
import { unauthenticated } from '../../../src/http/unauthenticated'
import { Problem } from '../../../src/http/problem'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { apiKeyUser, captureLog, problemOf, sessionUser, testContext } from './harness'

/** A route that asks `authorizeRequest` and answers with the principal it got back. */
function testApp(principal: Principal | undefined, action: Action, resource?: Resource) {
  let runs = 0
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: captureLog().log, principal }))
    .get('/t', (c) => {
      const caller = authorizeRequest(c, action, resource)
      runs += 1
      return c.json(caller)
    })
  return { app, runs: () => runs }
}

const owner = sessionUser()
const stranger = sessionUser({ userId: 'usr_01hzx3k7d2m4n5p6q7r8s9t0zz' })

describe('authorizeRequest', () => {
  it('throws 401 unauthenticated with a Bearer challenge when nobody is calling', async () => {
    const { app, runs } = testApp(undefined, 'account.read')

    const res = await app.request('/t')

    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="souk"')
    expect((await problemOf(res, 401)).code).toBe('unauthenticated')
    expect(runs()).toBe(0)
  })

  it('throws 403 forbidden naming the reason when an API key does a session-only action', async () => {
    const { app, runs } = testApp(apiKeyUser(['account:read', 'orders:write']), 'apiKeys.manage')

    const body = await problemOf(await app.request('/t'), 403)

    expect(body).toMatchObject({ code: 'forbidden', detail: 'Not allowed: needs a session token, not an API key' })
    expect(runs()).toBe(0)
  })

  it('throws 403 forbidden naming the missing scope', async () => {
    const { app } = testApp(apiKeyUser(['orders:read']), 'account.read')

    expect(await problemOf(await app.request('/t'), 403)).toMatchObject({
      code: 'forbidden',
      detail: 'Not allowed: needs scope account:read',
    })
  })

  it("throws 404 not_found for someone else's private resource, never revealing it exists", async () => {
    const { app, runs } = testApp(stranger, 'account.read', { ownerIds: [owner.userId], visibility: 'private' })

    const body = await problemOf(await app.request('/t'), 404)

    expect(body.code).toBe('not_found')
    expect(JSON.stringify(body)).not.toContain(owner.userId)
    expect(runs()).toBe(0)
  })

  it("throws 403 forbidden for someone else's public resource", async () => {
    const { app } = testApp(stranger, 'account.read', { ownerIds: [owner.userId], visibility: 'public' })

    expect(await problemOf(await app.request('/t'), 403)).toMatchObject({ code: 'forbidden', detail: 'Not allowed: not yours' })
  })

  it('returns the principal when the policy allows', async () => {
    const { app, runs } = testApp(owner, 'account.read', { ownerIds: [owner.userId], visibility: 'private' })

    const res = await app.request('/t')

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(owner)
    expect(runs()).toBe(1)
  })

  it('returns an API key principal that holds the scope', async () => {
    const caller = apiKeyUser(['account:read'])
    const { app } = testApp(caller, 'account.read')

    expect(await (await app.request('/t')).json()).toEqual(caller)
  })
})

describe('refusalProblem', () => {
  it.each<[Refusal, number, string, string | undefined]>([
    [{ status: 401, code: 'unauthenticated' }, 401, 'unauthenticated', 'Bearer realm="souk"'],
    [{ status: 403, code: 'forbidden', reason: 'needs a staff role' }, 403, 'forbidden', undefined],
    [{ status: 403, code: 'account_frozen' }, 403, 'account_frozen', undefined],
    [{ status: 404, code: 'not_found' }, 404, 'not_found', undefined],
  ])('turns %j into a %i %s problem', (refusal, status, code, challenge) => {
    const problem = refusalProblem(refusal)

    expect(problem).toBeInstanceOf(Problem)
    expect(problem).toMatchObject({ status, code })
    expect(problem.options.headers?.['WWW-Authenticate']).toBe(challenge)
  })

  it("puts a forbidden refusal's reason in the detail", () => {
    expect(refusalProblem({ status: 403, code: 'forbidden', reason: 'needs a staff role' }).detail).toBe('Not allowed: needs a staff role')
  })
})

describe('unauthenticated', () => {
  it('carries its detail and the Bearer challenge', () => {
    const problem = unauthenticated('The token is invalid, expired or revoked')

    expect(problem).toMatchObject({ status: 401, code: 'unauthenticated', detail: 'The token is invalid, expired or revoked' })
    expect(problem.options.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="souk"' })
  })
})

describe('requireAccess', () => {
  /** A POST route whose body is never valid: only a refusal before it can answer anything but 400. */
  function guarded(principal: Principal | undefined) {
    let runs = 0
    const app = new Hono<AppEnv>()
      .onError(renderProblem)
      .use(testContext({ log: captureLog().log, principal }))
      .post('/t', requireAccess('apiKeys.manage'), (c) => {
        runs += 1
        return c.json(principalOf(c))
      })
    return { app, runs: () => runs }
  }

  it('refuses before the handler runs: 401 for nobody, 403 for an API key', async () => {
    const anonymous = guarded(undefined)
    expect(await problemOf(await anonymous.app.request('/t', { method: 'POST' }), 401)).toMatchObject({ code: 'unauthenticated' })
    const key = guarded(apiKeyUser(['account:read']))
    expect(await problemOf(await key.app.request('/t', { method: 'POST' }), 403)).toMatchObject({ code: 'forbidden' })
    expect(anonymous.runs() + key.runs()).toBe(0)
  })

  it('hands the allowed caller to the handler', async () => {
    const caller = sessionUser()
    const { app, runs } = guarded(caller)
    expect(await (await app.request('/t', { method: 'POST' })).json()).toEqual(caller)
    expect(runs()).toBe(1)
  })
})

describe('principalOf', () => {
  it('is a 401 problem when a route forgot its guard and nobody is calling', async () => {
    const app = new Hono<AppEnv>()
      .onError(renderProblem)
      .use(testContext({ log: captureLog().log }))
      .get('/t', (c) => c.json(principalOf(c)))
    expect(await problemOf(await app.request('/t'), 401)).toMatchObject({ code: 'unauthenticated' })
  })
})
