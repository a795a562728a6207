import type { PersonalData } from '../pii/pii-adapters'

/**
 * Phone numbers and push subscriptions in D1 (raw statements; see contact-points/*.ts for the rules).
 * Both phone columns hold sealed numbers (pii/pii-envelope.ts), under one field name,
 * `phone_numbers.phone`, so a verified code moves the pending number into `phone` as it is; this
 * store seals and opens them, and answers numbers in the clear.
 */

export type PhoneRow = { phone: string | null; verifiedAt: string | null; pendingPhone: string | null; codeSentAt: string | null; codeExpiresAt: string | null; codeAttempts: number }
/** As stored: both numbers sealed. */
type RawPhoneRow = { phone: string | null; verified_at: string | null; pending_phone: string | null; code_sent_at: string | null; code_expires_at: string | null; code_attempts: number }

const openPhone = (pd: PersonalData, userId: string, stored: string | null): Promise<string | null> => (stored === null ? Promise.resolve(null) : pd.open('phone_numbers.phone', userId, stored))

export async function phoneOf(d1: D1Database, pd: PersonalData, userId: string): Promise<PhoneRow | null> {
  const r = await d1.prepare('SELECT * FROM phone_numbers WHERE user_id = ?').bind(userId).first<RawPhoneRow>()
  if (!r) return null
  const [phone, pendingPhone] = await Promise.all([openPhone(pd, userId, r.phone), openPhone(pd, userId, r.pending_phone)])
  return { phone, verifiedAt: r.verified_at, pendingPhone, codeSentAt: r.code_sent_at, codeExpiresAt: r.code_expires_at, codeAttempts: r.code_attempts }
}

export async function verifiedPhone(d1: D1Database, pd: PersonalData, userId: string): Promise<string | null> {
  const row = await d1.prepare('SELECT phone FROM phone_numbers WHERE user_id = ? AND phone IS NOT NULL').bind(userId).first<{ phone: string }>()
  return openPhone(pd, userId, row?.phone ?? null)
}

/**
 * Stores a new pending number and its code's hash, unless a code went out after `resendBefore`
 * (one statement, so two requests at once send one code). False when it is too soon.
 */
export async function startVerification(
  d1: D1Database,
  pd: PersonalData,
  userId: string,
  v: { pendingPhone: string; codeHash: string; sentAt: string; expiresAt: string; resendBefore: string },
): Promise<boolean> {
  const r = await d1
    .prepare(
      `INSERT INTO phone_numbers (user_id, pending_phone, code_hash, code_sent_at, code_expires_at, code_attempts) VALUES (?1, ?2, ?3, ?4, ?5, 0)
       ON CONFLICT (user_id) DO UPDATE SET pending_phone = ?2, code_hash = ?3, code_sent_at = ?4, code_expires_at = ?5, code_attempts = 0
       WHERE phone_numbers.code_sent_at IS NULL OR phone_numbers.code_sent_at <= ?6`,
    )
    .bind(userId, await pd.seal('phone_numbers.phone', userId, v.pendingPhone), v.codeHash, v.sentAt, v.expiresAt, v.resendBefore)
    .run()
  return r.meta.changes === 1
}

/** Withdraws a code that could not be sent, so the person may ask again at once. */
export async function withdrawCode(d1: D1Database, userId: string, codeHash: string): Promise<void> {
  await d1
    .prepare('UPDATE phone_numbers SET pending_phone = NULL, code_hash = NULL, code_sent_at = NULL, code_expires_at = NULL WHERE user_id = ? AND code_hash = ?')
    .bind(userId, codeHash)
    .run()
}

/** Counts one guess against a live code and answers its hash; null when no live code is left to guess. */
export async function spendGuess(d1: D1Database, pd: PersonalData, userId: string, now: string, maxAttempts: number): Promise<{ codeHash: string; pendingPhone: string; attempts: number } | null> {
  const row = await d1
    .prepare(
      `UPDATE phone_numbers SET code_attempts = code_attempts + 1
       WHERE user_id = ? AND code_hash IS NOT NULL AND code_expires_at > ? AND code_attempts < ?
       RETURNING code_hash, pending_phone, code_attempts`,
    )
    .bind(userId, now, maxAttempts)
    .first<{ code_hash: string; pending_phone: string; code_attempts: number }>()
  return row ? { codeHash: row.code_hash, pendingPhone: await pd.open('phone_numbers.phone', userId, row.pending_phone), attempts: row.code_attempts } : null
}

/** The pending number becomes the verified one, if `codeHash` is still the live code. */
export async function confirmPhone(d1: D1Database, pd: PersonalData, userId: string, codeHash: string, at: string): Promise<{ phone: string; verifiedAt: string } | null> {
  const row = await d1
    .prepare(
      `UPDATE phone_numbers SET phone = pending_phone, verified_at = ?, pending_phone = NULL, code_hash = NULL, code_expires_at = NULL, code_attempts = 0
       WHERE user_id = ? AND code_hash = ? RETURNING phone, verified_at`,
    )
    .bind(at, userId, codeHash)
    .first<{ phone: string; verified_at: string }>()
  return row ? { phone: await pd.open('phone_numbers.phone', userId, row.phone), verifiedAt: row.verified_at } : null
}

export async function deletePhone(d1: D1Database, userId: string): Promise<boolean> {
  return (await d1.prepare('DELETE FROM phone_numbers WHERE user_id = ?').bind(userId).run()).meta.changes === 1
}

/** The provider says this number cannot take SMS (unsubscribed by STOP, not a mobile): stop texting it. */
export async function forgetVerifiedPhone(d1: D1Database, pd: PersonalData, userId: string, phone: string): Promise<void> {
  const row = await d1.prepare('SELECT phone FROM phone_numbers WHERE user_id = ? AND phone IS NOT NULL').bind(userId).first<{ phone: string }>()
  if (!row || (await pd.open('phone_numbers.phone', userId, row.phone)) !== phone) return // they changed it since: the new one stays
  // On the sealed value read: a number verified meanwhile is not forgotten.
  await d1.prepare('UPDATE phone_numbers SET phone = NULL, verified_at = NULL WHERE user_id = ? AND phone = ?').bind(userId, row.phone).run()
}

export type PushSubscriptionRow = { id: string; userId: string; endpoint: string; p256dh: string; auth: string; createdAt: string }
type RawPushRow = { id: string; user_id: string; endpoint: string; p256dh: string; auth: string; created_at: string }
const toPushRow = (r: RawPushRow): PushSubscriptionRow => ({ id: r.id, userId: r.user_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth, createdAt: r.created_at })

/**
 * Registers a browser's subscription; the same endpoint again (the browser re-subscribed, perhaps
 * for someone else now) updates it in place. Keeps the person's newest `keep`. Answers the stored
 * row and whether it is new.
 */
export async function savePushSubscription(d1: D1Database, s: PushSubscriptionRow, keep: number): Promise<{ row: PushSubscriptionRow; created: boolean }> {
  const [upserted] = await d1.batch<RawPushRow>([
    d1
      .prepare(
        `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = ?2, p256dh = ?4, auth = ?5, created_at = ?6 RETURNING *`,
      )
      .bind(s.id, s.userId, s.endpoint, s.p256dh, s.auth, s.createdAt),
    // The one just saved always stays (whatever the clocks say); of the others, the newest keep - 1.
    d1
      .prepare(
        `DELETE FROM push_subscriptions WHERE user_id = ?1 AND endpoint != ?2
         AND id NOT IN (SELECT id FROM push_subscriptions WHERE user_id = ?1 AND endpoint != ?2 ORDER BY created_at DESC, id DESC LIMIT ?3)`,
      )
      .bind(s.userId, s.endpoint, keep - 1),
  ])
  const row = upserted?.results[0]
  if (!row) throw new Error('push subscription upsert returned no row')
  return { row: toPushRow(row), created: row.id === s.id }
}

export async function pushSubscriptionsOf(d1: D1Database, userId: string): Promise<PushSubscriptionRow[]> {
  const { results } = await d1.prepare('SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, id DESC').bind(userId).all<RawPushRow>()
  return results.map(toPushRow)
}

export async function deletePushSubscription(d1: D1Database, userId: string, id: string): Promise<boolean> {
  return (await d1.prepare('DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?').bind(id, userId).run()).meta.changes === 1
}

/** The push service says the subscription is gone (404/410): never send to it again. */
export async function forgetPushSubscription(d1: D1Database, id: string): Promise<void> {
  await d1.prepare('DELETE FROM push_subscriptions WHERE id = ?').bind(id).run()
}
