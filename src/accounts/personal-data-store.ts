import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { devOutbox, notificationDispatches, notificationPreferences, notifications, notificationSends, orders, phoneNumbers, pollAnswers, pushSubscriptions, reviews, users } from '../db/schema'
import { finalStatuses } from '../orders/order-machine'
import { ADDRESS_HASH_PREFIX } from '../pii/blind-index'
import type { PersonalData } from '../pii/pii-adapters'

/**
 * GDPR access and erasure for what D1 holds about a person (their credentials live in their
 * account object, which me-routes.ts asks alongside): the account, the orders they bought (with their addresses), the reviews they wrote, their poll answers, and their notifications: the
 * inbox, preferences, where notices reach them (phone, browsers) and what was sent where. Capabilities that later hold personal data (messages…) add their part to both.
 * What is sealed at rest (e-mail, addresses, phone numbers) is opened here: the export shows the data, not its ciphertext.
 */
export async function exportPersonalData(db: Db, pd: PersonalData, userId: string) {
  const [user, orderRows, reviewRows, phoneRows, pushRows, prefRows, inboxRows, sendRows, answerRows] = await db.batch([
    db
      .select({
        id: users.id,
        email: users.email,
        displayName: users.displayName,
        role: users.role,
        frozenAt: users.frozenAt,
        createdAt: users.createdAt,
        updatedAt: users.updatedAt,
      })
      .from(users)
      .where(eq(users.id, userId)),
    // The orders they bought, with the addresses they gave (a seller's orders hold the buyer's data, not theirs).
    db
      .select({ id: orders.id, sellerId: orders.sellerId, status: orders.status, currency: orders.currency, total: orders.total, items: orders.items, shippingAddress: orders.shippingAddress, createdAt: orders.createdAt })
      .from(orders)
      .where(eq(orders.buyerId, userId))
      .orderBy(asc(orders.id)),
    db
      .select({ orderId: reviews.orderId, subjectId: reviews.subjectId, rating: reviews.rating, comment: reviews.comment, createdAt: reviews.createdAt })
      .from(reviews)
      .where(eq(reviews.authorId, userId))
      .orderBy(asc(reviews.orderId)),
    db.select({ phone: phoneNumbers.phone, verifiedAt: phoneNumbers.verifiedAt, pendingPhone: phoneNumbers.pendingPhone }).from(phoneNumbers).where(eq(phoneNumbers.userId, userId)),
    db
      .select({ id: pushSubscriptions.id, endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, userId))
      .orderBy(asc(pushSubscriptions.id)),
    db.select({ preferences: notificationPreferences.preferences }).from(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
    db
      .select({ id: notifications.id, type: notifications.type, title: notifications.title, body: notifications.body, createdAt: notifications.createdAt, readAt: notifications.readAt })
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(asc(notifications.id)),
    db
      .select({ notificationId: notificationSends.notificationId, channel: notificationSends.channel, address: notificationSends.address, outcome: notificationSends.outcome, at: notificationSends.at })
      .from(notificationSends)
      .where(eq(notificationSends.userId, userId))
      .orderBy(asc(notificationSends.at)),
    db
      .select({ pollId: pollAnswers.pollId, deliveryId: pollAnswers.deliveryId, subjectId: pollAnswers.subjectId, score: pollAnswers.score, comment: pollAnswers.comment, answeredAt: pollAnswers.answeredAt })
      .from(pollAnswers)
      .where(eq(pollAnswers.userId, userId))
      .orderBy(asc(pollAnswers.deliveryId)),
  ])
  const account = user[0]
  const email = account ? await pd.open('users.email', account.id, account.email) : null
  const phoneRow = phoneRows[0]
  const phone = phoneRow
    ? {
        phone: phoneRow.phone === null ? null : await pd.open('phone_numbers.phone', userId, phoneRow.phone),
        verifiedAt: phoneRow.verifiedAt,
        pendingPhone: phoneRow.pendingPhone === null ? null : await pd.open('phone_numbers.phone', userId, phoneRow.pendingPhone),
      }
    : null
  // notification_sends keeps a keyed hash of each address: shown as the address where it is one Souk still knows.
  const known = new Map<string, string>()
  const learn = async (channel: string, address: string | null) => {
    if (address !== null) known.set(await pd.addressHash(channel, address), address)
  }
  await Promise.all([learn('email', email), learn('sms', phone?.phone ?? null), learn('sms', phone?.pendingPhone ?? null), ...pushRows.map((p) => learn('push', p.id))])
  const sends = sendRows.map((s) => ({ ...s, address: s.address.startsWith(ADDRESS_HASH_PREFIX) ? (known.get(s.address) ?? 'an address no longer on file') : s.address }))
  return {
    user: account && email !== null ? { ...account, email } : undefined,
    orders: await Promise.all(orderRows.map(async (o) => ({ ...o, shippingAddress: o.shippingAddress === null ? null : await pd.openAddress(o.id, o.shippingAddress) }))),
    reviews: reviewRows,
    pollAnswers: answerRows,
    phone,
    pushSubscriptions: pushRows,
    notifications: { preferences: prefRows[0]?.preferences ?? null, inbox: inboxRows, sends },
  }
}

/**
 * What replaces an erased user's e-mail: unique, and not an address at all, so no registration
 * can ever take it (and block the erasure); the real address is free to register again.
 */
export const erasedEmail = (userId: string): string => `erased:${userId}`

/**
 * Erases a person's data in D1 in one batch: the user row keeps its id (so orders and the ledger
 * keep their parties) but loses its e-mail (and its blind index, so the address may register
 * again), name and password. Their account object then ends
 * every credential (me-routes.ts).
 */
export async function erasePersonalData(db: Db, userId: string, now: Date): Promise<boolean> {
  const at = now.toISOString()
  const [erased] = await db.batch([
    db
      .update(users)
      .set({ email: erasedEmail(userId), emailIndex: null, displayName: 'Erased user', passwordHash: '!erased', erasedAt: at, updatedAt: at })
      .where(and(eq(users.id, userId), isNull(users.erasedAt)))
      .returning({ id: users.id }),
    // Addresses of finished orders go (open ones still have to be shipped); the orders and their money stay.
    db.update(orders).set({ shippingAddress: null }).where(and(eq(orders.buyerId, userId), inArray(orders.status, [...finalStatuses]))),
    db.update(reviews).set({ comment: null }).where(eq(reviews.authorId, userId)),
    // Poll answers keep their score (the results and a seller's rating count it) but lose their words.
    db.update(pollAnswers).set({ comment: null }).where(eq(pollAnswers.userId, userId)),
    // Their notifications: the inbox, what was planned and sent where, their choices, where notices reached them.
    db.delete(phoneNumbers).where(eq(phoneNumbers.userId, userId)),
    db.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)),
    db.delete(notificationSends).where(eq(notificationSends.userId, userId)),
    db.delete(notificationDispatches).where(eq(notificationDispatches.userId, userId)),
    db.delete(notifications).where(eq(notifications.userId, userId)),
    db.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
    db.delete(devOutbox).where(eq(devOutbox.userId, userId)),
  ])
  return erased.length === 1
}
