import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../src/accounts/principal'
import type { SecondFactor } from '../../../src/accounts/second-factor'
import type { AppEnv } from '../../../src/env'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { requireStepUp } from '../../../src/http/step-up'
import { captureLog, problemOf, sessionUser, testContext } from './harness'

const CURRENT_CODE = '123456'

/** A user with a second factor whose only current code is 123456; records what it was asked. */
function fakeFactor(enrolledUserIds: string[]) {
  const asked: { enrolled: string[]; verify: [string, string][] } = { enrolled: [], verify: [] }
  const factor: SecondFactor = {
    enrolled: (userId) => {
      asked.enrolled.push(userId)
      return Promise.resolve(enrolledUserIds.includes(userId))
    },
    verify: (userId, code) => {
      asked.verify.push([userId, code])
      return Promise.resolve(code === CURRENT_CODE)
    },
    recover: () => Promise.reject(new Error('step-up never takes a recovery code')),
  }
  return { factor, asked }
}

function testApp(principal: Principal | undefined, stepUp: ReturnType<typeof requireStepUp>) {
  let runs = 0
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: captureLog().log, principal }))
    .post('/v1/api-keys', stepUp, (c) => {
      runs += 1
      return c.text('key created', 201)
    })
  return { app, runs: () => runs }
}

const user = sessionUser()
const withCode = (code: string): RequestInit => ({ method: 'POST', headers: { 'X-MFA-Code': code } })

describe('requireStepUp', () => {
  describe('for a user with a second factor', () => {
    it('answers 401 mfa_required when X-MFA-Code is missing, and never runs the handler', async () => {
      const { factor, asked } = fakeFactor([user.userId])
      const { app, runs } = testApp(user, requireStepUp(() => factor))

      const body = await problemOf(await app.request('/v1/api-keys', { method: 'POST' }), 401)

      expect(body).toMatchObject({ code: 'mfa_required', detail: 'Send a current one-time code in X-MFA-Code' })
      expect(asked.enrolled).toEqual([user.userId])
      expect(runs()).toBe(0)
    })

    it.each(['', '654321', '12345', '1234567', ' 123456x'])('answers 401 mfa_required for the wrong code %j', async (code) => {
      const { factor } = fakeFactor([user.userId])
      const { app, runs } = testApp(user, requireStepUp(() => factor))

      expect((await problemOf(await app.request('/v1/api-keys', withCode(code)), 401)).code).toBe('mfa_required')
      expect(runs()).toBe(0)
    })

    it("runs the handler for the current code, checked against the caller's own factor", async () => {
      const { factor, asked } = fakeFactor([user.userId])
      const { app, runs } = testApp(user, requireStepUp(() => factor))

      const res = await app.request('/v1/api-keys', withCode(CURRENT_CODE))

      expect(res.status).toBe(201)
      expect(runs()).toBe(1)
      expect(asked.verify).toEqual([[user.userId, CURRENT_CODE]])
    })

    it('looks the factor up from the request env', async () => {
      const { factor } = fakeFactor([user.userId])
      const envs: Env[] = []
      const { app } = testApp(
        user,
        requireStepUp((env) => {
          envs.push(env)
          return factor
        }),
      )
      const env = { ENVIRONMENT: 'development' }

      await app.request('/v1/api-keys', withCode(CURRENT_CODE), env)

      expect(envs).toEqual([env])
    })
  })

  it('runs the handler without a code for a user who has no second factor', async () => {
    const { factor, asked } = fakeFactor(['usr_someone_else'])
    const { app, runs } = testApp(user, requireStepUp(() => factor))

    const res = await app.request('/v1/api-keys', { method: 'POST' })

    expect(res.status).toBe(201)
    expect(runs()).toBe(1)
    expect(asked.verify).toEqual([])
  })

  it("passes an anonymous request through to the route's own check, without asking the factor", async () => {
    const { factor, asked } = fakeFactor([user.userId])
    const { app, runs } = testApp(undefined, requireStepUp(() => factor))

    const res = await app.request('/v1/api-keys', { method: 'POST' })

    expect(res.status).toBe(201)
    expect(runs()).toBe(1)
    expect(asked).toEqual({ enrolled: [], verify: [] })
  })
})
