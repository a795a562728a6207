import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { AuditLogObject } from '../../../src/audit/audit-log-object'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { checkout, checkoutBody, eventually, fixedListing } from '../checkout/checkout-fixtures'
import { call, freeze, json, makeStaff, PASSWORD, register } from '../support/api'

/**
 * The audit log through the API: privileged and sensitive actions are appended; only admins read
 * it; `verify` names the first entry that was edited, deleted or moved. The tests share the one
 * log and run in order; each tampering is undone before the next.
 */
type Entry = { seq: number; action: string; actorId: string; subjectId: string | null; details: Record<string, unknown> }

const sql = <T>(query: string, ...params: unknown[]) =>
  runInDurableObject(auditLogStub(env), (_o: AuditLogObject, state) => state.storage.sql.exec<T & Record<string, SqlStorageValue>>(query, ...params).toArray())

async function admin() {
  const a = await register('audit-admin')
  await makeStaff(a.user.id, 'admin')
  return a
}

describe('the audit log', () => {
  it('records logins and their failures, key creation and revocation, freezes and exports, for admins to read', async () => {
    const boss = await admin()
    const ada = await register('audit-ada')
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: ada.user.email, password: 'wrong password!!' } })).status).toBe(401)
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: ada.user.email, password: PASSWORD } })).status).toBe(200)
    const key = await json<{ id: string }>(await call('/v1/api-keys', { method: 'POST', token: ada.token, json: { name: 'k', scopes: ['account:read'] } }))
    expect((await call(`/v1/api-keys/${key.id}`, { method: 'DELETE', token: ada.token })).status).toBe(204)
    expect((await call('/v1/me/export', { token: ada.token })).status).toBe(200)
    expect((await call(`/v1/admin/users/${ada.user.id}/freeze`, { method: 'POST', token: boss.token })).status).toBe(200)

    const page = await json<{ data: Entry[] }>(await call(`/v1/admin/audit?subjectId=${ada.user.id}&limit=100`, { token: boss.token }))
    expect(page.data.map((e) => e.action)).toEqual(['account.frozen', 'account.exported', 'login.succeeded', 'login.failed'])
    expect(page.data[0]).toMatchObject({ actorId: boss.user.id })
    expect(page.data.at(-1)).toMatchObject({ actorId: 'anonymous', details: { reason: 'password' } })
    const keys = await json<{ data: Entry[] }>(await call(`/v1/admin/audit?subjectId=${key.id}`, { token: boss.token }))
    expect(keys.data.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.created'])

    // Pages by seq.
    const one = await json<{ data: Entry[]; nextCursor: string }>(await call(`/v1/admin/audit?subjectId=${ada.user.id}&limit=1`, { token: boss.token }))
    const two = await json<{ data: Entry[] }>(await call(`/v1/admin/audit?subjectId=${ada.user.id}&limit=1&before=${one.nextCursor}`, { token: boss.token }))
    expect(two.data.map((e) => e.action)).toEqual(['account.exported'])
  })

  it('records what staff do to others: a cancelled order, a read-model rebuild, a dead letter replayed', async () => {
    const boss = await admin()
    const seller = await register('audit-seller')
    const buyer = await register('audit-buyer')
    const listing = await fixedListing(seller)
    const paid = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id)))
    expect((await call(`/v1/orders/${paid.id}/cancel`, { method: 'POST', token: boss.token })).status).toBe(200)

    const rebuild = await call('/v1/admin/read-model/rebuild', { method: 'POST', token: boss.token })
    expect(rebuild.status).toBe(202)
    const { id: rebuildId } = await json<{ id: string }>(rebuild)
    await eventually(async () => (await json<{ status: string }>(await call(`/v1/admin/read-model/rebuilds/${rebuildId}`, { token: boss.token }))).status, (s) => s !== 'running')

    const letterId = crypto.randomUUID().replaceAll('-', '')
    await env.DB.prepare('INSERT INTO dead_letters (id, queue, body, attempts, received_at) VALUES (?, ?, ?, ?, ?)').bind(letterId, 'souk-jobs', '{"kind":"nothing"}', 6, new Date().toISOString()).run()
    expect((await call(`/v1/admin/dead-letters/${letterId}/replay`, { method: 'POST', token: boss.token })).status).toBe(202)

    const mine = await json<{ data: Entry[] }>(await call(`/v1/admin/audit?actorId=${boss.user.id}&limit=100`, { token: boss.token }))
    expect(mine.data.map((e) => [e.action, e.subjectId])).toEqual([
      ['dead_letter.replayed', letterId],
      ['read_model.rebuild_started', rebuildId],
      ['order.cancelled_by_staff', paid.id],
    ])
    expect(mine.data[2]).toMatchObject({ details: { from: 'paid' } })
  })

  it('is for admins only: support staff, users and API keys are refused', async () => {
    const support = await register('audit-support')
    await makeStaff(support.user.id, 'support')
    const user = await register('audit-user')
    for (const token of [support.token, user.token]) {
      expect((await call('/v1/admin/audit', { token })).status).toBe(403)
      expect((await call('/v1/admin/audit/verify', { token })).status).toBe(403)
    }
    expect((await call('/v1/admin/audit')).status).toBe(401)
    await freeze(user.user.id)
  })

  it('verifies a chain as written, and names the first entry edited, deleted or moved', async () => {
    const boss = await admin()
    const verify = async () => json<{ ok: boolean; entries: number; firstBreak?: { seq: number; reason: string } }>(await call('/v1/admin/audit/verify', { token: boss.token }))
    const before = await verify()
    expect(before).toMatchObject({ ok: true })
    expect(before.entries).toBeGreaterThan(5)
    const [target] = await sql<{ seq: number; actor_id: string }>('SELECT seq, actor_id FROM entries WHERE seq = 3')
    const rows = await sql<Record<string, SqlStorageValue>>('SELECT * FROM entries WHERE seq IN (3, 4) ORDER BY seq')

    await sql('UPDATE entries SET actor_id = ? WHERE seq = 3', 'usr_someone_else')
    expect(await verify()).toMatchObject({ ok: false, entries: 2, firstBreak: { seq: 3, reason: 'altered' } })
    await sql('UPDATE entries SET actor_id = ? WHERE seq = 3', target?.actor_id)

    await sql('DELETE FROM entries WHERE seq = 3')
    expect(await verify()).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'missing' } })
    // Moving entry 4 into the gap: in order by seq, yet no longer linked.
    await sql('UPDATE entries SET seq = 3 WHERE seq = 4')
    expect(await verify()).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'unlinked' } })
    await sql('DELETE FROM entries WHERE seq = 3')
    for (const r of rows) await sql('INSERT INTO entries (seq, at, actor_id, action, subject_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', r.seq, r.at, r.actor_id, r.action, r.subject_id, r.details, r.prev_hash, r.hash)
    expect(await verify()).toMatchObject({ ok: true })

    // The newest entry deleted leaves no gap behind it: the head kept apart still shows it.
    const [last] = await sql<Record<string, SqlStorageValue>>('SELECT * FROM entries ORDER BY seq DESC LIMIT 1')
    await sql('DELETE FROM entries WHERE seq = ?', last?.seq)
    expect(await verify()).toMatchObject({ ok: false, firstBreak: { seq: last?.seq, reason: 'missing' } })
    await sql('INSERT INTO entries (seq, at, actor_id, action, subject_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', last?.seq, last?.at, last?.actor_id, last?.action, last?.subject_id, last?.details, last?.prev_hash, last?.hash)
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('keeps one unbroken chain under 100 simultaneous appends', async () => {
    const boss = await admin()
    // Four logins each at once: the failed-login budget (five per account and address) admits them all.
    const people = await Promise.all(Array.from({ length: 25 }, (_, i) => register(`audit-rush-${i}`)))
    const answers = await Promise.all(people.flatMap((p) => Array.from({ length: 4 }, () => call('/v1/auth/login', { method: 'POST', json: { email: p.user.email, password: PASSWORD } }))))
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 100 }, () => 200))
    const verdict = await json<{ ok: boolean }>(await call('/v1/admin/audit/verify', { token: boss.token }))
    expect(verdict.ok).toBe(true)
    const logins = await json<{ data: Entry[] }>(await call(`/v1/admin/audit?subjectId=${people[0]?.user.id}&action=login.succeeded&limit=100`, { token: boss.token }))
    expect(logins.data).toHaveLength(4)
    // 125 password hashes (PBKDF2) on a shared CI machine: a load test, not a timing one.
  }, 30_000)
})
