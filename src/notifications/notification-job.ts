import { queueBatches } from '../core/queue-batches'
import { z } from 'zod'

/** Cloudflare Queues delay a message by at most 12 hours; a later send is re-queued on arrival. */
const MAX_DELAY_SECONDS = 12 * 3600

/**
 * A message on `souk-notifications`: send one notice (`notificationId`), or a person's digest
 * (`notificationId` null), on one channel, once `dueAt` has come.
 */
export const NotificationJob = z.object({
  kind: z.enum(['send', 'digest']),
  userId: z.string(),
  channel: z.enum(['email', 'sms', 'push']),
  notificationId: z.string().nullable(),
  dueAt: z.iso.datetime(),
})
export type NotificationJob = z.infer<typeof NotificationJob>

/** Queues each job to arrive when it is due (or in 12 hours, when it will be queued again). */
export async function enqueueNotificationJobs(env: Env, jobs: NotificationJob[], now: Date): Promise<void> {
  for (const batch of queueBatches(jobs)) {
    await env.NOTIFICATIONS.sendBatch(batch.map((body) => ({ body, contentType: 'json', delaySeconds: delayUntil(body.dueAt, now) })))
  }
}

function delayUntil(dueAt: string, now: Date): number {
  return Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((Date.parse(dueAt) - now.getTime()) / 1000)))
}
