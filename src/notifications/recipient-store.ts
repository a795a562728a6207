import { forgetPushSubscription, forgetVerifiedPhone, pushSubscriptionsOf, verifiedPhone } from '../contact-points/contact-point-store'
import type { PersonalData } from '../pii/pii-adapters'
import type { Address } from './channel-adapters'
import type { OutboundChannel } from './notification-plan'

/** Where a person can be reached, in D1: what planning and sending a notice need to know of them. */

export type Recipient = { preferences: unknown; reachable: OutboundChannel[] }

/**
 * Each person's stored preferences (unparsed) and the channels they have an address on: e-mail
 * unless erased, SMS with a verified phone, push with a browser subscribed. One query for all of
 * them, since every notice asks it. Nobody is there who does not exist or erased their account.
 */
export async function recipientsOf(d1: D1Database, userIds: string[]): Promise<Map<string, Recipient>> {
  if (userIds.length === 0) return new Map()
  const { results } = await d1
    .prepare(
      `SELECT u.id,
              (SELECT preferences FROM notification_preferences WHERE user_id = u.id) AS preferences,
              EXISTS (SELECT 1 FROM phone_numbers WHERE user_id = u.id AND phone IS NOT NULL) AS sms,
              EXISTS (SELECT 1 FROM push_subscriptions WHERE user_id = u.id) AS push
       FROM users u WHERE u.id IN (SELECT value FROM json_each(?1)) AND u.erased_at IS NULL`,
    )
    .bind(JSON.stringify(userIds))
    .all<{ id: string; preferences: string | null; sms: number; push: number }>()
  return new Map(
    results.map((row) => {
      const reachable: OutboundChannel[] = ['email']
      if (row.sms) reachable.push('sms')
      if (row.push) reachable.push('push')
      return [row.id, { preferences: row.preferences === null ? {} : (JSON.parse(row.preferences) as unknown), reachable }]
    }),
  )
}

/** The addresses a message on `channel` goes to now (a phone changed since planning goes to the new one). */
export async function addressesOf(d1: D1Database, pd: PersonalData, userId: string, channel: OutboundChannel): Promise<Address[]> {
  if (channel === 'email') {
    const row = await d1.prepare('SELECT email FROM users WHERE id = ? AND erased_at IS NULL').bind(userId).first<{ email: string }>()
    return row ? [{ channel, email: await pd.open('users.email', userId, row.email) }] : []
  }
  if (channel === 'sms') {
    const phone = await verifiedPhone(d1, pd, userId)
    return phone ? [{ channel, phone }] : []
  }
  return (await pushSubscriptionsOf(d1, userId)).map((subscription) => ({ channel, subscription }))
}

/** The provider says the address is dead (a number that sent STOP, an expired subscription): stop using it. */
export async function forgetAddress(d1: D1Database, pd: PersonalData, userId: string, a: Address): Promise<void> {
  if (a.channel === 'sms') await forgetVerifiedPhone(d1, pd, userId, a.phone)
  if (a.channel === 'push') await forgetPushSubscription(d1, a.subscription.id)
}
