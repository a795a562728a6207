import { settingsOf, type Settings } from '../config'
import type { Logger } from '../core/logger'
import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import { systemClock } from '../platform/runtime'
import { metricsSinkOf } from '../ops/metrics-adapters'
import type { MetricsSink } from '../ops/metrics'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import { addressKey, channelAdapters, type ChannelAdapter } from './channel-adapters'
import { enqueueNotificationJobs, NotificationJob } from './notification-job'
import { composeMessage, type DueNotice } from './notification-message'
import { claimDue, doneSends, heldUntil, markSent, recordSends, releaseClaims, sendKey } from './notification-store'
import { addressesOf, forgetAddress } from './recipient-store'
import { personalDataOf } from '../pii/pii-adapters'
import { tracedFetch, traceparentOf, withSpan } from '../platform/tracing'

/**
 * Not now: a provider said "later" (429, 5xx, no answer), or another sender holds the notices; the
 * queue retries the message, not before `afterSeconds`.
 */
class SendLater extends Error {
  constructor(
    readonly reason: string,
    readonly afterSeconds: number,
  ) {
    super(reason)
    this.name = 'SendLater'
  }
}

/** Long enough for a person's every address (a DNS check and a provider's timeout each), short enough to recover from a sender that died. */
const CLAIM_LEASE_MS = 5 * 60_000

/** How a message fared across a person's addresses on one channel. */
type Fate = { kind: 'done' } | { kind: 'throttled'; waitMs: number } | { kind: 'unavailable'; status: number; afterSeconds: number }

/**
 * Consumes `souk-notifications`: claims what is due (one notice, or a person's whole digest) under
 * a lease, and sends each of the person's addresses on the channel one message with what that
 * address has not had yet, through the channel's adapter, under the provider's rate limit. What
 * each address got is recorded per notice, so a retry (or a sender taking over from one that died
 * when its lease ran out) skips what is done. A provider that says "later" releases the claim and
 * retries the message with backoff (at least its Retry-After) until the dead-letter queue; a rate
 * limit re-queues the job for when the quota allows, without spending a retry; a refusal is
 * logged and kept; an address the provider says is dead is forgotten.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env, log: Logger, fetchFn: typeof fetch = fetch): Promise<void> {
  const jobs = batch.messages.map((msg) => ({ msg, job: NotificationJob.safeParse(msg.body) }))
  // One person's jobs on one channel in order (they claim the same rows); other people's side by side.
  const keyOf = ({ msg, job }: (typeof jobs)[number]) => (job.success ? `${job.data.userId}:${job.data.channel}` : `malformed:${msg.id}`)
  // Each notice sent (or refused for good) is a `notification.delay` point; the batch waits for the sink's flush.
  const flushes: Array<Promise<unknown>> = []
  const metrics = metricsSinkOf(env, (p) => flushes.push(p))
  await runGrouped(jobs, keyOf, PEOPLE_AT_ONCE, async ({ msg, job }) => {
    if (!job.success) {
      log.error('notification_job_malformed', { messageId: msg.id })
      msg.ack()
      return
    }
    try {
      // Each notice continues the trace of the event that made it (through the notifications consumer).
      await withSpan({ name: `notification ${job.data.channel}`, kind: 'consumer', traceparent: traceparentOf(msg.body) }, () => dispatch(env, job.data, log, tracedFetch(fetchFn, `send ${job.data.channel}`), metrics))
      msg.ack()
    } catch (err) {
      log.error('notification_send_failed', { userId: job.data.userId, channel: job.data.channel, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, { baseSeconds: 5, capSeconds: 600 }, err instanceof SendLater ? err.afterSeconds : 0)
    }
  })
  await Promise.allSettled(flushes)
}

const PEOPLE_AT_ONCE = 8

async function dispatch(env: Env, job: NotificationJob, log: Logger, fetchFn: typeof fetch, metrics: MetricsSink): Promise<void> {
  const now = systemClock()
  if (Date.parse(job.dueAt) > now.getTime()) return enqueueNotificationJobs(env, [job], now) // arrived early (a delay over 12 h)
  const settings = settingsOf(env)
  const claim = { userId: job.userId, channel: job.channel, notificationId: job.notificationId }
  const due = await claimDue(env.DB, claim, now.toISOString(), new Date(now.getTime() + CLAIM_LEASE_MS).toISOString())
  if (due.length === 0) {
    // Sent, or another sender holds it: then come back when its lease ends, in case that sender died.
    const held = await heldUntil(env.DB, claim, now.toISOString())
    if (held) throw new SendLater('held by another sender', Math.ceil((Date.parse(held) - now.getTime()) / 1000))
    return
  }
  const ids = due.map((d) => d.notificationId)
  const adapter = channelAdapters(env, settings, fetchFn)[job.channel]
  if (!adapter) {
    log.warn('notification_channel_unavailable', { channel: job.channel, userId: job.userId }) // its provider was removed since planning
    await markSent(env.DB, job.channel, ids, now.toISOString())
    return
  }
  let fate: Fate
  try {
    fate = await sendToAddresses(env, settings, adapter, job, due, log, metrics)
  } catch (err) {
    await releaseClaims(env.DB, job.channel, ids)
    throw err
  }
  if (fate.kind === 'done') return markSent(env.DB, job.channel, ids, systemClock().toISOString())
  await releaseClaims(env.DB, job.channel, ids)
  if (fate.kind === 'unavailable') throw new SendLater(`provider unavailable (${fate.status})`, fate.afterSeconds)
  log.info('notification_rate_limited', { channel: job.channel, waitMs: fate.waitMs })
  await enqueueNotificationJobs(env, [{ ...job, dueAt: new Date(now.getTime() + fate.waitMs).toISOString() }], now)
}

async function sendToAddresses(env: Env, settings: Settings, adapter: ChannelAdapter, job: NotificationJob, due: DueNotice[], log: Logger, metrics: MetricsSink): Promise<Fate> {
  const pd = personalDataOf(settings)
  const done = await doneSends(env.DB, job.channel, due.map((d) => d.notificationId))
  let unavailable = null as { status: number; afterSeconds: number } | null
  let waitMs = 0
  for (const address of await addressesOf(env.DB, pd, job.userId, job.channel)) {
    // A send is kept under the address's keyed hash (pii/blind-index.ts); one recorded before that, under the address.
    const plain = addressKey(address)
    const key = await pd.addressHash(job.channel, plain)
    // What this address has not had yet: all of it, unless an earlier try reached it.
    const pending = due.filter((d) => !done.has(sendKey(d.notificationId, key)) && !done.has(sendKey(d.notificationId, plain)))
    const message = composeMessage(pending)
    if (!message) continue
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
    if (outcome.kind === 'gone') await forgetAddress(env.DB, pd, job.userId, address)
    const at = systemClock().toISOString()
    // How late it left: sent time minus the job's due time (a throttled job's due time moves, so a rate limit's wait is not counted).
    for (let i = 0; i < pending.length; i++) metrics.record({ kind: 'outcome', name: 'notification.delay', error: outcome.kind !== 'sent', durationMs: Math.max(0, Date.parse(at) - Date.parse(job.dueAt)), at: Date.parse(at) })
    const providerRef = outcome.kind === 'sent' ? (outcome.providerId ?? null) : null
    // A provider's reason may quote the address: it is kept without it.
    const detail = outcome.kind === 'refused' ? outcome.reason.replaceAll(plain, '[address]') : outcome.kind === 'gone' ? `gone (${outcome.status})` : null
    await recordSends(
      env.DB,
      pending.map((d) => ({ notificationId: d.notificationId, channel: job.channel, address: key, userId: job.userId, outcome: outcome.kind, providerRef, detail, at })),
    )
  }
  // A provider's "later" wins over a rate limit: that message is retried as a whole, the done addresses skipped.
  if (unavailable) return { kind: 'unavailable', ...unavailable }
  return waitMs > 0 ? { kind: 'throttled', waitMs } : { kind: 'done' }
}
