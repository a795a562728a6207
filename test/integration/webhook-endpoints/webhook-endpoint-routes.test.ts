import { expect, it } from 'vitest'
import { call, json, register } from '../support/api'

type Endpoint = { id: string; url: string; events: string[]; status: string; secret?: string }
type Page = { data: Endpoint[]; nextCursor: string | null }

const create = async (token: string, url = 'http://127.0.0.1:9/hook', events = ['*']) =>
  json<Endpoint & { secret: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url, events } }))

it('lists the caller’s own endpoints, newest first, a page at a time, never with a secret', async () => {
  const owner = await register('owner')
  const stranger = await register('stranger')
  const oldest = await create(owner.token)
  const middle = await create(owner.token)
  const newest = await create(owner.token)
  const theirs = await create(stranger.token)

  const first = await call('/v1/webhook-endpoints?limit=2', { token: owner.token })
  expect(first.status).toBe(200)
  const one = await json<Page>(first)
  expect(one.data.map((e) => e.id)).toEqual([newest.id, middle.id])
  expect(one.nextCursor).toEqual(expect.any(String))
  const two = await json<Page>(await call(`/v1/webhook-endpoints?limit=2&cursor=${one.nextCursor}`, { token: owner.token }))
  expect(two).toEqual({ data: [expect.objectContaining({ id: oldest.id })], nextCursor: null })
  for (const e of [...one.data, ...two.data]) expect(e).not.toHaveProperty('secret')

  const strangers = await json<Page>(await call('/v1/webhook-endpoints', { token: stranger.token }))
  expect(strangers.data.map((e) => e.id)).toEqual([theirs.id])
})

it('leaves deleted endpoints out of the list', async () => {
  const owner = await register('owner')
  const kept = await create(owner.token)
  const gone = await create(owner.token)
  expect((await call(`/v1/webhook-endpoints/${gone.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204)
  const listed = await json<Page>(await call('/v1/webhook-endpoints', { token: owner.token }))
  expect(listed.data.map((e) => e.id)).toEqual([kept.id])
})

it('answers a bad limit or cursor with a 400 problem, and no token with 401', async () => {
  const owner = await register('owner')
  for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor!']) {
    const res = await call(`/v1/webhook-endpoints?${query}`, { token: owner.token })
    expect(res.status, query).toBe(400)
    expect(await json(res)).toMatchObject({ code: 'validation_failed' })
  }
  expect((await call('/v1/webhook-endpoints')).status).toBe(401)
})

const patch = (id: string, token: string, body: unknown, ifMatch?: string) =>
  call(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', token, json: body, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } })

it('lets the owner change the URL and filter, and pause and resume, each edit checked against the ETag it read', async () => {
  const owner = await register('owner')
  const endpoint = await create(owner.token, 'http://127.0.0.1:9/hook', ['order.*'])
  const read = await call(`/v1/webhook-endpoints/${endpoint.id}`, { token: owner.token })
  expect(read.headers.get('etag')).toBe('"1"')

  const moved = await patch(endpoint.id, owner.token, { url: 'http://127.0.0.1:9/other', events: ['listing.*', 'listing.*'] }, '"1"')
  expect(moved.status).toBe(200)
  expect(moved.headers.get('etag')).toBe('"2"')
  expect(await json(moved)).toMatchObject({ id: endpoint.id, url: 'http://127.0.0.1:9/other', events: ['listing.*'], status: 'active', version: 2 })

  const stale = await patch(endpoint.id, owner.token, { enabled: false }, '"1"')
  expect(stale.status).toBe(412)
  expect(await json(stale)).toMatchObject({ code: 'version_conflict' })

  expect(await json(await patch(endpoint.id, owner.token, { enabled: false }, '"2"'))).toMatchObject({ status: 'disabled', disabledReason: 'disabled by owner', version: 3 })
  expect(await json(await patch(endpoint.id, owner.token, { enabled: true }, '*'))).toMatchObject({ status: 'active', disabledReason: null, url: 'http://127.0.0.1:9/other', version: 4 })
  const listed = await json<Page>(await call('/v1/webhook-endpoints', { token: owner.token }))
  expect(listed.data).toEqual([expect.objectContaining({ id: endpoint.id, url: 'http://127.0.0.1:9/other', events: ['listing.*'], version: 4 })])
})

it('answers a stranger’s PATCH with 404 and changes nothing', async () => {
  const owner = await register('owner')
  const stranger = await register('stranger')
  const endpoint = await create(owner.token)
  const res = await patch(endpoint.id, stranger.token, { enabled: false }, '*')
  expect(res.status).toBe(404)
  expect(await json(await call(`/v1/webhook-endpoints/${endpoint.id}`, { token: owner.token }))).toMatchObject({ status: 'active', version: 1 })
  expect((await patch('whe_00000000000000000000000000', owner.token, { enabled: false }, '*')).status).toBe(404)
})

it('refuses bad edits with 4xx problems and changes nothing: no If-Match, a bad URL, bad fields, an empty body', async () => {
  const owner = await register('owner')
  const endpoint = await create(owner.token)
  const noPrecondition = await patch(endpoint.id, owner.token, { enabled: false })
  expect(noPrecondition.status).toBe(428)
  expect(await json(noPrecondition)).toMatchObject({ code: 'precondition_required' })
  expect((await patch(endpoint.id, owner.token, { enabled: false }, 'W/"1"')).status).toBe(412)

  const privateUrl = await patch(endpoint.id, owner.token, { url: 'https://10.0.0.1/hook' }, '*')
  expect(privateUrl.status).toBe(422)
  expect(await json(privateUrl)).toMatchObject({ code: 'invalid_webhook_url' })
  for (const body of [{}, { events: [] }, { events: ['Not A Type'] }, { enabled: 'yes' }, { url: 42 }, { secret: 'whsec_x' }, { url: 'x'.repeat(3000) }]) {
    const res = await patch(endpoint.id, owner.token, body, '*')
    expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400)
    expect(await json(res)).toMatchObject({ code: 'validation_failed' })
  }
  expect((await patch('not-an-id', owner.token, { enabled: false }, '*')).status).toBe(400)
  expect(await json(await call(`/v1/webhook-endpoints/${endpoint.id}`, { token: owner.token }))).toMatchObject({ url: 'http://127.0.0.1:9/hook', events: ['*'], status: 'active', version: 1 })
})
