import { beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { bindingTally } from '../../../src/http/binding-probe'
import type { OperationCounts } from '../../../src/ops/binding-tally'
import { createFixed } from '../listings/fixtures'
import { fetchWith } from '../support/test-app'

/** BINDING_PROBE is a development var wrangler.toml does not declare, so `Env` has no slot for it. */
const ON = { BINDING_PROBE: 'on' } as Partial<Record<keyof Env, unknown>>
const OFF = { BINDING_PROBE: 'off' } as Partial<Record<keyof Env, unknown>>
const get = (path: string) => new Request(`https://souk.test${path}`)
const app = createApp()

async function counts(query = ''): Promise<OperationCounts[]> {
  const res = await fetchWith(app, get(`/v1/dev/binding-counts${query}`), ON)
  expect(res.status).toBe(200)
  return (await res.json<{ data: OperationCounts[] }>()).data
}

beforeEach(() => {
  bindingTally.reset()
})

describe('GET /v1/dev/binding-counts', () => {
  it('is not there unless the probe is on', async () => {
    const res = await fetchWith(app, get('/v1/dev/binding-counts'))
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'not_found' })
    expect((await fetchWith(app, get('/v1/dev/binding-counts'), OFF)).status).toBe(404)
  })

  it('answers the requests and per-request counts of each operation, by phase', async () => {
    const { id } = await createFixed()
    for (let i = 0; i < 2; i++) expect((await fetchWith(app, get(`/v1/listings/${id}`), ON)).status).toBe(200)
    const listing = (await counts()).find((o) => o.operation === 'GET /v1/listings/:id 200')
    expect(listing?.requests).toBe(2)
    expect(listing?.request.total.objectCalls).toBeGreaterThan(0)
    expect(listing?.request.perRequest.objectCalls).toBe((listing?.request.total.objectCalls ?? 0) / 2)
  })

  it('clears the counts once read with reset=1', async () => {
    const { id } = await createFixed()
    await fetchWith(app, get(`/v1/listings/${id}`), ON)
    expect((await counts('?reset=1')).find((o) => o.operation === 'GET /v1/listings/:id 200')?.requests).toBe(1)
    expect((await counts()).find((o) => o.operation === 'GET /v1/listings/:id 200')).toBeUndefined()
  })
})
