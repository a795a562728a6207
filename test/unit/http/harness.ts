import { expect } from 'vitest'
import { createMiddleware } from 'hono/factory'
import type { Principal } from '../../../src/accounts/principal'
import { createLogger, type Logger } from '../../../src/core/logger'
import type { AppEnv } from '../../../src/env'
import type { FieldError } from '../../../src/http/problem'

/** Test apps' shared pieces: a logger whose lines can be read, request variables, principals. */
export const FIXED_NOW = new Date('2030-01-02T03:04:05.000Z')

export type LogLine = { time: string; level: string; msg: string; [field: string]: unknown }

export function captureLog(): { log: Logger; lines: string[]; entries: () => LogLine[] } {
  const lines: string[] = []
  const log = createLogger({ sink: (line) => lines.push(line), now: () => FIXED_NOW, level: 'debug' })
  return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as LogLine) }
}

export const TEST_REQUEST_ID = 'req_test0000000000000000000001'

/** Stands in for `requestContext` (and `authenticate`): sets the variables later middleware reads. */
export const testContext = (vars: { log: Logger; principal?: Principal; requestId?: string }) =>
  createMiddleware<AppEnv>(async function testContext(c, next) {
    c.set('log', vars.log)
    c.set('requestId', vars.requestId ?? TEST_REQUEST_ID)
    if (vars.principal) c.set('principal', vars.principal)
    await next()
  })

export const sessionUser = (over: Partial<Principal> = {}): Principal => ({
  userId: 'usr_01hzx3k7d2m4n5p6q7r8s9t0vw',
  role: 'user',
  frozen: false,
  credential: { kind: 'session', id: 'ses_01hzx3k7d2m4n5p6q7r8s9t0vw' },
  ...over,
})

export const apiKeyUser = (scopes: Extract<Principal['credential'], { kind: 'api_key' }>['scopes'], over: Partial<Principal> = {}): Principal => ({
  userId: 'usr_01hzx3k7d2m4n5p6q7r8s9t0ab',
  role: 'user',
  frozen: false,
  credential: { kind: 'api_key', id: 'key_01hzx3k7d2m4n5p6q7r8s9t0ab', scopes },
  ...over,
})

export type ProblemBody = {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance: string
  requestId?: string
  errors?: FieldError[]
  [member: string]: unknown
}

/** Asserts the response is an RFC 9457 problem with `status` and returns its body. */
export async function problemOf(res: Response, status: number): Promise<ProblemBody> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const body: unknown = await res.json()
  expect(body).toMatchObject({ status })
  return body as ProblemBody
}
