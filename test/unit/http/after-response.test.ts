import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { afterResponse } from '../../../src/http/after-response'

/** An execution context that keeps what it was asked to wait for. */
function executionContext() {
  const waited: Promise<unknown>[] = []
  return { waited, ctx: { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException: () => undefined, props: {} } }
}

describe('afterResponse', () => {
  it('starts registered work only once the handler has answered, and hands it to waitUntil', async () => {
    const log: string[] = []
    const app = new Hono<AppEnv>().use('*', afterResponse()).get('/t', (c) => {
      c.var.afterResponse(async () => {
        log.push('work started')
        await Promise.resolve()
        log.push('work done')
      })
      log.push('handler answered')
      return c.text('ok')
    })
    const { waited, ctx } = executionContext()
    const res = await app.request('/t', {}, {}, ctx)
    expect(await res.text()).toBe('ok')
    expect(log[0]).toBe('handler answered')
    expect(waited).toHaveLength(1)
    await Promise.all(waited)
    expect(log).toEqual(['handler answered', 'work started', 'work done'])
  })

  it('still runs the work when the handler throws after registering it (what was written must go out)', async () => {
    let ran = 0
    const app = new Hono<AppEnv>()
      .use('*', afterResponse())
      .onError((_err, c) => c.text('failed', 500))
      .get('/t', (c) => {
        c.var.afterResponse(() => {
          ran++
          return Promise.resolve()
        })
        throw new Error('after the write')
      })
    const { waited, ctx } = executionContext()
    expect((await app.request('/t', {}, {}, ctx)).status).toBe(500)
    await Promise.all(waited)
    expect(ran).toBe(1)
  })

  it('hands nothing to waitUntil when nothing was registered', async () => {
    const app = new Hono<AppEnv>().use('*', afterResponse()).get('/t', (c) => c.text('ok'))
    const { waited, ctx } = executionContext()
    await app.request('/t', {}, {}, ctx)
    expect(waited).toEqual([])
  })
})
