import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import worker from '../../../src/index'
import { call, json, makeStaff, register } from '../support/api'
import { fetchWith } from '../support/test-app'

it('keeps what a queue gave up on, shows it to admins only, and replays it to its own queue', async () => {
  const job = { kind: 'reconcile', orderId: 'ord_00000000000000000000000000', attempt: 3 }
  const batch = createMessageBatch('souk-jobs-dlq', [
    { id: 'dead-1', timestamp: new Date(), attempts: 1, body: job },
    { id: 'dead-1', timestamp: new Date(), attempts: 2, body: job }, // the same message delivered again
  ])
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  await getQueueResult(batch, ctx)

  const admin = await register('admin')
  await makeStaff(admin.user.id, 'admin')
  const support = await register('support')
  await makeStaff(support.user.id, 'support')
  expect((await call('/v1/admin/dead-letters', { token: support.token })).status).toBe(403)
  const listed = await json<{ data: { id: string; queue: string; body: unknown; replayedAt: string | null }[] }>(await call('/v1/admin/dead-letters?queue=souk-jobs', { token: admin.token }))
  expect(listed.data).toEqual([expect.objectContaining({ id: 'dead-1', queue: 'souk-jobs', body: job, replayedAt: null })])

  const sent: unknown[] = []
  const jobs = { send: (body: unknown) => Promise.resolve(void sent.push(body)) }
  const replay = await fetchWith(createApp(), new Request('https://souk.test/v1/admin/dead-letters/dead-1/replay', { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } }), { JOBS: jobs })
  expect(replay.status).toBe(202)
  expect(sent).toEqual([job])
  expect((await json<{ replayedAt: string | null }>(replay)).replayedAt).not.toBeNull()
  expect((await call('/v1/admin/dead-letters/nope/replay', { method: 'POST', token: admin.token })).status).toBe(404)
})
