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
