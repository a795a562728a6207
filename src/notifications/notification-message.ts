import type { NotificationCategory } from './notification-rules'

/** A notice as the sender reads it back: what it says and where it comes from. */
export type DueNotice = { notificationId: string; type: string; category: NotificationCategory; title: string; body: string }

export type ComposedMessage = { ref: string; subject: string; body: string; urgent: boolean; data: Record<string, unknown> }

/**
 * One message out of what is due for a person on a channel: a single notice as itself, a digest as
 * a count in the subject and one line per notice. `ref` is the first notice's id, which names the
 * message to providers (idempotency keys) and in the send log. Urgent when any part is about money
 * or security. Null when nothing is due.
 */
export function composeMessage(due: readonly DueNotice[]): ComposedMessage | null {
  const [first] = due
  if (!first) return null
  const urgent = due.some((d) => d.category !== 'activity')
  if (due.length === 1) return { ref: first.notificationId, subject: first.title, body: first.body, urgent, data: { notificationId: first.notificationId, type: first.type } }
  return {
    ref: first.notificationId,
    subject: `${due.length} updates from Souk`,
    body: due.map((d) => `• ${d.title}: ${d.body}`).join('\n'),
    urgent,
    data: { notificationIds: due.map((d) => d.notificationId), type: 'digest' },
  }
}
