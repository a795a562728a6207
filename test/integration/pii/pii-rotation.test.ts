import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { findUserByEmail } from '../../../src/accounts/user-store'
import { settingsOf } from '../../../src/config'
import { database } from '../../../src/db/client'
import { newId } from '../../../src/platform/runtime'
import { personalData } from '../../../src/pii/pii-adapters'
import { d1Port, rotatePersonalData } from '../../../src/pii/pii-rotation-store'
import { ADDRESS, checkout, checkoutBody, fixedListing } from '../checkout/checkout-fixtures'
import { json, register, uniqueEmail } from '../support/api'
import { verifyPhone } from '../support/contact-points'

/**
 * The rotation (scripts/rotate-pii-keys.ts runs this sweep): rows sealed under the development key
 * (A) and rows from before sealing (plaintext, no index) all end under a new key (B), still read
 * the same, found by their blind index; a second run finds nothing to do; a row that cannot be
 * read is reported and left alone. This file's database is its own: after the sweep its rows are
 * under a key the worker does not hold.
 */
const settings = settingsOf(env)
const keyA = settings.pii.keyring
const keyB = { currentKid: 'k2', keys: new Map([...keyA.keys, ['k2', new Uint8Array(32).fill(42)]]) }
const pdB = { ...personalData(keyB, settings.pii.indexKey), currentKid: 'k2' }
const rows = <T>(sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params).all<T>().then((r) => r.results)

describe('rotating the personal-data keys', () => {
  it('seals every value under the new key in bounded batches, fills blind indexes, hashes old send addresses; idempotent', async () => {
    // Under key A, through the API.
    const seller = await register('seller')
    const buyer = await register('buyer')
    const phone = await verifyPhone(buyer)
    const listing = await fixedListing(seller, { quantity: 2 })
    const { id: sealedOrder } = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id)))
    const { id: oldOrder } = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id)))
    // From before sealing: plaintext e-mail without an index, an address as JSON, a phone in the clear, a send keyed by the address.
    const legacy = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const id = newId('usr')
        const email = uniqueEmail(`legacy${i}`)
        const at = new Date().toISOString()
        await env.DB.prepare("INSERT INTO users (id, email, display_name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'Old', 'x', 'user', ?, ?)").bind(id, email, at, at).run()
        return { id, email }
      }),
    )
    await env.DB.prepare('UPDATE orders SET shipping_address = ? WHERE id = ?').bind(JSON.stringify(ADDRESS), oldOrder).run()
    await env.DB.prepare('UPDATE phone_numbers SET pending_phone = ? WHERE user_id = ?').bind('+33612345678', buyer.user.id).run()
    await env.DB.prepare("INSERT INTO notification_sends (notification_id, channel, address, user_id, outcome, at) VALUES ('ntf_old', 'email', ?, ?, 'sent', ?)").bind(buyer.user.email, buyer.user.id, new Date().toISOString()).run()
    // And one row altered by hand: it cannot be read, under either key.
    const broken = await register('broken')
    await env.DB.prepare("UPDATE users SET email = substr(email, 1, length(email) - 4) || 'AAAA' WHERE id = ?").bind(broken.user.id).run()
    const brokenEmail = (await rows<{ email: string }>('SELECT email FROM users WHERE id = ?', broken.user.id))[0]?.email

    const batches: string[] = []
    const report = await rotatePersonalData(d1Port(env.DB), pdB, { batchSize: 2, progress: (what) => batches.push(what) })

    const everyone = [seller.user, buyer.user, ...legacy]
    expect(report.resealed).toEqual({ 'users.email': everyone.length, 'orders.shipping_address': 2, 'phone_numbers.phone': 1, 'phone_numbers.pending_phone': 1 })
    expect(report.indexed).toBe(legacy.length)
    expect(report.sendsHashed).toBe(1)
    expect(report.unreadable).toEqual([{ column: 'users.email', owner: broken.user.id, reason: 'failed_authentication (key dev1)' }])
    // Bounded: six users a batch of two at a time.
    expect(batches.filter((b) => b === 'users.email').length).toBeGreaterThanOrEqual(3)

    for (const u of everyone) {
      const [row] = await rows<{ email: string; email_index: string }>('SELECT email, email_index FROM users WHERE id = ?', u.id)
      expect(row?.email.startsWith('v1.k2.')).toBe(true)
      expect(await pdB.open('users.email', u.id, row?.email ?? '')).toBe(u.email)
      expect(row?.email_index).toBe(await pdB.emailIndex(u.email))
      expect((await findUserByEmail(database(env.DB), pdB, u.email))?.id).toBe(u.id)
    }
    for (const id of [sealedOrder, oldOrder]) {
      const [row] = await rows<{ shipping_address: string }>('SELECT shipping_address FROM orders WHERE id = ?', id)
      expect(row?.shipping_address.startsWith('v1.k2.')).toBe(true)
      expect(await pdB.openAddress(id, row?.shipping_address ?? '')).toEqual(ADDRESS)
    }
    const [phones] = await rows<{ phone: string; pending_phone: string }>('SELECT phone, pending_phone FROM phone_numbers WHERE user_id = ?', buyer.user.id)
    expect(await pdB.open('phone_numbers.phone', buyer.user.id, phones?.phone ?? '')).toBe(phone)
    expect(await pdB.open('phone_numbers.phone', buyer.user.id, phones?.pending_phone ?? '')).toBe('+33612345678')
    expect([phones?.phone, phones?.pending_phone].every((p) => p?.startsWith('v1.k2.'))).toBe(true)
    // Only the send recorded before blind indexes (the checkout's own notices may have gone out meanwhile, already hashed).
    expect(await rows("SELECT address FROM notification_sends WHERE user_id = ? AND notification_id = 'ntf_old'", buyer.user.id)).toEqual([{ address: await pdB.addressHash('email', buyer.user.email) }])
    expect((await rows<{ email: string }>('SELECT email FROM users WHERE id = ?', broken.user.id))[0]?.email).toBe(brokenEmail)

    const again = await rotatePersonalData(d1Port(env.DB), pdB, { batchSize: 2 })
    expect(again).toEqual({ resealed: {}, indexed: 0, sendsHashed: 0, unreadable: report.unreadable })
  })
})
