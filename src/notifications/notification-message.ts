import type { NotificationCategory } from './notification-rules'

/** A notice as the sender reads it back: what it says and where it comes from. */
export type DueNotice = { notificationId: string; type: string; category: NotificationCategory; title: string; body: string }

export type ComposedMessage = { ref: string; subject: string; body: string; urgent: boolean; data: Record<string, unknown> }

/**
 * One message out of what is due for a person at one address: a single notice as itself, a digest
 * as a count in the subject and one line per notice. `ref` names the message to providers
 * (idempotency keys) and the outbox: a single notice's id, or for a digest a name drawn from all of
 * its notices' ids, so a digest that carries one more notice is another message, not a replay.
 * Urgent when any part is about money or security. Null when nothing is due.
 */
export function composeMessage(due: readonly DueNotice[]): ComposedMessage | null {
  const [first] = due
  if (!first) return null
  const urgent = due.some((d) => d.category !== 'activity')
  if (due.length === 1) return { ref: first.notificationId, subject: first.title, body: first.body, urgent, data: { notificationId: first.notificationId, type: first.type } }
  return {
    ref: digestRef(due.map((d) => d.notificationId)),
    subject: `${due.length} updates from Souk`,
    body: due.map((d) => `• ${d.title}: ${d.body}`).join('\n'),
    urgent,
    data: { notificationIds: due.map((d) => d.notificationId), type: 'digest' },
  }
}

/** `dig_` and a 64-bit FNV-1a of the ids: short enough for any idempotency key, distinct for distinct sets. */
export function digestRef(notificationIds: readonly string[]): string {
  let hash = 0xcbf29ce484222325n
  for (const ch of [...notificationIds].sort().join(',')) {
    hash ^= BigInt(ch.charCodeAt(0))
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return `dig_${hash.toString(16).padStart(16, '0')}`
}
