import { env, exports } from 'cloudflare:workers'
import { accountStub } from '../../../src/accounts/account-adapters'
import { findUserById, standingOf } from '../../../src/accounts/user-store'
import { settingsOf } from '../../../src/config'
import { database } from '../../../src/db/client'
import { credentialCacheOf } from '../../../src/http/authenticate'

/** Helpers for calling the real worker (`exports.default`) inside workerd, with fresh identities. */
export const BASE = 'https://souk.test'

export type Json = Record<string, unknown>

export async function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  let body = init.body
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(init.json)
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers, body }))
}

export async function json<T = Json>(res: Response): Promise<T> {
  return (await res.json())
}

let counter = 0
export const uniqueEmail = (label = 'user'): string => `${label}-${Date.now()}-${++counter}-${crypto.randomUUID().slice(0, 8)}@example.com`

export const PASSWORD = 'correct horse battery staple'

export type Registered = { token: string; user: { id: string; email: string; role: string } }

export async function register(label = 'user'): Promise<Registered> {
  const res = await call('/v1/auth/register', { method: 'POST', json: { email: uniqueEmail(label), password: PASSWORD, displayName: label } })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`)
  return json<Registered>(res)
}

/**
 * Makes the user staff, as an operator would in the database (there is no route for it), then
 * hands the record to the user's account object, as login and the staff routes do.
 */
export async function makeStaff(userId: string, role: 'support' | 'admin'): Promise<void> {
  await env.DB.prepare('UPDATE users SET role = ? WHERE id = ?').bind(role, userId).run()
  await syncAccount(userId)
}

/** Freezes the user in the record and in their account object (what the staff freeze route does). */
export async function freeze(userId: string): Promise<void> {
  await env.DB.prepare('UPDATE users SET frozen_at = ? WHERE id = ?').bind(new Date().toISOString(), userId).run()
  await syncAccount(userId)
}

async function syncAccount(userId: string): Promise<void> {
  const user = await findUserById(database(env.DB), userId)
  if (!user) throw new Error(`no user ${userId}`)
  await accountStub(env, userId).open(standingOf(user))
  credentialCacheOf(settingsOf(env)).forget({ userId })
}

export async function countRows(table: 'users' | 'orders' | 'order_events' | 'payments' | 'ledger_entries' | 'payouts' | 'reviews' | 'disputes' | 'webhook_receipts' | 'webhook_endpoints' | 'webhook_messages' | 'phone_numbers' | 'push_subscriptions' | 'notification_sends'): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>()
  return row?.n ?? 0
}
