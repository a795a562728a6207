import { settingsOf, type Settings } from '../config'
import type { Logger } from '../core/logger'
import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import { systemClock } from '../platform/runtime'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import { addressKey, channelAdapters, type ChannelAdapter } from './channel-adapters'
import { enqueueNotificationJobs, NotificationJob } from './notification-job'
import { composeMessage, type ComposedMessage } from './notification-message'
import { claimDue, doneAddresses, recordSend, releaseClaims } from './notification-store'
import { addressesOf, forgetAddress } from './recipient-store'

/** A provider said "later" (429, 5xx, no answer): the queue retries the message, after `afterSeconds` if it said. */
class ProviderUnavailable extends Error {
  constructor(
    readonly status: number,
    readonly afterSeconds: number,
  ) {
    super(`provider unavailable (${status})`)
    this.name = 'ProviderUnavailable'
  }
}

/** How a message fared across a person's addresses on one channel. */
type Fate = { kind: 'done' } | { kind: 'throttled'; waitMs: number } | { kind: 'unavailable'; status: number; afterSeconds: number }

/**
 * Consumes `souk-notifications`: claims what is due (one notice, or a person's whole digest),
 * composes one message and sends it to each of the person's addresses on the channel through the
 * channel's adapter, under the provider's rate limit. Each address's outcome is recorded, so a
 * retry skips the addresses already done. A provider that says "later" releases the claim and
 * retries the message with backoff (at least its Retry-After) until the dead-letter queue; a rate
 * limit re-queues the job for when the quota allows, without spending a retry; a refusal is
 * logged and kept; an address the provider says is dead is forgotten.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env, log: Logger, fetchFn: typeof fetch = fetch): Promise<void> {
  const jobs = batch.messages.map((msg) => ({ msg, job: NotificationJob.safeParse(msg.body) }))
  // One person's jobs on one channel in order (they claim the same rows); other people's side by side.
  const keyOf = ({ msg, job }: (typeof jobs)[number]) => (job.success ? `${job.data.userId}:${job.data.channel}` : `malformed:${msg.id}`)
  await runGrouped(jobs, keyOf, PEOPLE_AT_ONCE, async ({ msg, job }) => {
    if (!job.success) {
      log.error('notification_job_malformed', { messageId: msg.id })
      msg.ack()
      return
    }
    try {
      await dispatch(env, job.data, log, fetchFn)
      msg.ack()
    } catch (err) {
      log.error('notification_send_failed', { userId: job.data.userId, channel: job.data.channel, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, { baseSeconds: 5, capSeconds: 600 }, err instanceof ProviderUnavailable ? err.afterSeconds : 0)
    }
  })
}

const PEOPLE_AT_ONCE = 8

async function dispatch(env: Env, job: NotificationJob, log: Logger, fetchFn: typeof fetch): Promise<void> {
  const now = systemClock()
  if (Date.parse(job.dueAt) > now.getTime()) return enqueueNotificationJobs(env, [job], now) // arrived early (a delay over 12 h)
  const settings = settingsOf(env)
  const due = await claimDue(env.DB, job.userId, job.channel, now.toISOString(), job.notificationId)
  const message = composeMessage(due)
  if (!message) return
  const adapter = channelAdapters(env, settings, fetchFn)[job.channel]
  if (!adapter) {
    log.warn('notification_channel_unavailable', { channel: job.channel, userId: job.userId }) // its provider was removed since planning
    return
  }
  let fate: Fate
  try {
    fate = await sendToAddresses(env, settings, adapter, job, message, log)
  } catch (err) {
    await releaseClaims(env.DB, job.userId, job.channel, due.map((d) => d.notificationId))
    throw err
  }
  if (fate.kind === 'done') return
  await releaseClaims(env.DB, job.userId, job.channel, due.map((d) => d.notificationId))
  if (fate.kind === 'unavailable') throw new ProviderUnavailable(fate.status, fate.afterSeconds)
  log.info('notification_rate_limited', { channel: job.channel, waitMs: fate.waitMs })
  await enqueueNotificationJobs(env, [{ ...job, dueAt: new Date(now.getTime() + fate.waitMs).toISOString() }], now)
}

async function sendToAddresses(env: Env, settings: Settings, adapter: ChannelAdapter, job: NotificationJob, message: ComposedMessage, log: Logger): Promise<Fate> {
  const done = await doneAddresses(env.DB, message.ref, job.channel)
  let unavailable = null as { status: number; afterSeconds: number } | null
  let waitMs = 0
  for (const address of await addressesOf(env.DB, job.userId, job.channel)) {
    const key = addressKey(address)
    if (done.has(key)) continue
    const quotaSubject = adapter.quotaSubject(address)
    if (quotaSubject) {
      const verdict = await consumeQuota(env, 'notifier', quotaSubject, settings.notifications.rateLimits[job.channel])
      if (!verdict.allowed) {
        waitMs = Math.max(waitMs, verdict.retryAfterMs, 1000)
        continue
      }
    }
    const outcome = await adapter.send(address, { userId: job.userId, ...message })
    if (outcome.kind === 'retry') {
      log.warn('notification_provider_unavailable', { channel: job.channel, status: outcome.status })
      unavailable = { status: outcome.status, afterSeconds: Math.max(unavailable?.afterSeconds ?? 0, outcome.retryAfterSeconds ?? 0) }
      continue
    }
    // The reason may quote the address, so it is kept with the send (erased with the person), not logged.
    if (outcome.kind === 'refused') log.error('notification_refused', { channel: job.channel, userId: job.userId, status: outcome.status })
    if (outcome.kind === 'gone') await forgetAddress(env.DB, job.userId, address)
    await recordSend(env.DB, {
      ref: message.ref,
      channel: job.channel,
      address: key,
      userId: job.userId,
      outcome: outcome.kind,
      providerRef: outcome.kind === 'sent' ? (outcome.providerId ?? null) : null,
      detail: outcome.kind === 'refused' ? outcome.reason : outcome.kind === 'gone' ? `gone (${outcome.status})` : null,
      at: systemClock().toISOString(),
    })
  }
  // A provider's "later" wins over a rate limit: that message is retried as a whole, the done addresses skipped.
  if (unavailable) return { kind: 'unavailable', ...unavailable }
  return waitMs > 0 ? { kind: 'throttled', waitMs } : { kind: 'done' }
}
