import { Webhook } from 'standardwebhooks'
import { z } from 'zod'
import { settingsOf } from '../config'
import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import type { Logger } from '../core/logger'
import { cloudflareDoh } from '../platform/doh-resolver'
import { systemClock } from '../platform/runtime'
import { derivedEventId } from '../events/derived-event-id'
import { EVENT_VERSION } from '../events/contract/souk-event'
import { publishEvents } from '../events/publish-events'
import { endpointUrlProblem } from './endpoint-url'
import { outboundHostProblem, type ResolveHost } from './outbound-host'
import { MAX_ATTEMPTS, nextRetryDelayMs } from './retry-schedule'
import { signingSecrets } from './secret-rotation'
import { disableEndpoint, noteFailure, noteSuccess, type WebhookEndpoint } from './webhook-endpoint-store'
import { claimAttempt, recordAttempt, unclaimAttempt, type WebhookMessage } from './webhook-message-store'
import { metricsSinkOf } from '../ops/metrics-adapters'
import type { MetricsSink } from '../ops/metrics'
import { annotateSpan, traceHeader, traceparentOf, withSpan } from '../platform/tracing'

const DeliveryJob = z.object({ messageId: z.string() })

/** Injected so tests can stand in a receiver; production uses the runtime's fetch. */
export type Send = (url: string, init: RequestInit) => Promise<Response>

/**
 * Consumes `souk-webhooks`: one attempt per message, signed per Standard Webhooks (`webhook-id`
 * is the message id on every attempt, so receivers can drop repeats). 2xx delivers; 410 means the
 * receiver is gone and the endpoint is disabled; anything else is tried again on the schedule
 * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, scaled by WEBHOOK_RETRY_SCALE), then given up. An
 * endpoint that has failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled. Redirects are not followed.
 * In production the endpoint's host is resolved before each attempt (`resolve`, injected like
 * `send`), and a host that resolves to a private address, or cannot be resolved, is not called:
 * the attempt fails and is tried again on the same schedule.
 */
export async function consumeWebhookDeliveries(
  batch: MessageBatch<unknown>,
  env: Env,
  log: Logger,
  send: Send = (url, init) => fetch(url, init),
  resolve: ResolveHost = cloudflareDoh,
): Promise<void> {
  // Every attempt waits on someone else's server: a batch's attempts run side by side (receivers order by seq).
  const jobs = batch.messages.map((msg) => ({ msg, job: DeliveryJob.safeParse(msg.body) }))
  // One webhook message's jobs (a scheduled retry and a manual one) in turn, never two attempts at once.
  const keyOf = ({ msg, job }: (typeof jobs)[number]) => (job.success ? job.data.messageId : `malformed:${msg.id}`)
  // Each attempt is a `webhook.delivery` point; the batch waits for the sink's flush (a consumer has no waitUntil here).
  const flushes: Array<Promise<unknown>> = []
  const metrics = metricsSinkOf(env, (p) => flushes.push(p))
  await runGrouped(jobs, keyOf, ATTEMPTS_AT_ONCE, async ({ msg, job }) => {
    if (!job.success) {
      log.error('webhook_job_malformed', { messageId: msg.id })
      msg.ack()
      return
    }
    try {
      // The attempt continues the trace of what queued it (the event's, through the fan-out).
      await withSpan({ name: 'webhook delivery', kind: 'consumer', traceparent: traceparentOf(msg.body), attributes: { 'webhook.message_id': job.data.messageId } }, () =>
        deliverOnce(env, job.data.messageId, log, send, resolve, metrics),
      )
      msg.ack()
    } catch (err) {
      // Souk's own failure (D1, the queue), not the receiver's: the queue retries, then dead-letters.
      log.error('webhook_delivery_failed', { messageId: job.data.messageId, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, { baseSeconds: 2, capSeconds: 300 })
    }
  })
  await Promise.allSettled(flushes)
}

const ATTEMPTS_AT_ONCE = 10

async function deliverOnce(env: Env, messageId: string, log: Logger, send: Send, resolve: ResolveHost, metrics: MetricsSink): Promise<void> {
  const { message, endpoint } = await claimAttempt(env.DB, messageId)
  if (!message) return // delivered, given up, or never made: nothing to do
  const settings = settingsOf(env)
  const now = systemClock()
  const unusable = !endpoint || endpoint.status !== 'active' ? 'endpoint disabled or deleted' : endpointUrlProblem(endpoint.url, settings.environment)
  if (unusable || !endpoint) {
    await recordAttempt(env.DB, { messageId, attempt: message.attempts, at: now.toISOString(), statusCode: null, durationMs: 0, error: unusable ?? 'no endpoint' }, 'failed')
    return
  }
  // Locally the receivers under test listen on loopback, which the guard refuses.
  const hostProblem = settings.environment === 'production' ? await outboundHostProblem(endpoint.url, resolve) : null
  if (hostProblem?.kind === 'unresolved') {
    // Souk's resolver failed, not the receiver: the attempt is given back and the queue retries it.
    await unclaimAttempt(env.DB, messageId)
    throw new Error(hostProblem.reason)
  }
  if (hostProblem) log.warn('webhook_host_refused', { endpointId: endpoint.id, messageId, reason: hostProblem.reason })
  // Refused like a receiver that did not answer: the same retry schedule, the same path to disabling.
  const result = hostProblem ? { status: null, durationMs: 0, error: hostProblem.reason } : await attempt(endpoint, message, now, settings.webhooks.timeoutMs, send)
  const record = { messageId, attempt: message.attempts, at: now.toISOString(), statusCode: result.status, durationMs: result.durationMs, error: result.error }
  const delivered = result.status !== null && result.status >= 200 && result.status < 300
  metrics.record({ kind: 'outcome', name: 'webhook.delivery', error: !delivered, durationMs: result.durationMs, at: now.getTime() })
  if (delivered) {
    await recordAttempt(env.DB, record, 'delivered', [noteSuccess(env.DB, endpoint.id)])
    return
  }
  if (result.status === 410) {
    await recordAttempt(env.DB, record, 'failed')
    await disable(env, endpoint, 'gone: the receiver answered 410', now, log)
    return
  }
  const delayMs = message.attempts < MAX_ATTEMPTS ? nextRetryDelayMs(message.attempts, settings.webhooks.retryScale) : null
  await recordAttempt(env.DB, record, delayMs === null ? 'failed' : 'pending')
  const failingSince = await noteFailure(env.DB, endpoint.id, now.toISOString())
  if (now.getTime() - Date.parse(failingSince) >= settings.webhooks.disableAfterMs) {
    await disable(env, endpoint, `failing since ${failingSince}`, now, log)
    return
  }
  if (delayMs !== null) await env.WEBHOOKS.send({ messageId }, { contentType: 'json', delaySeconds: Math.min(43_200, Math.ceil(delayMs / 1000)) })
}

/**
 * Disables the endpoint, and publishes `webhook_endpoint.disabled` (its owner is told). The event
 * goes out first, under an id derived from the endpoint: if publishing or disabling fails, the
 * endpoint stays active, and the next failing delivery to it comes here again and publishes the
 * same event, which its consumers apply once; several failing messages racing here publish it once
 * in effect, and only the first disables.
 */
async function disable(env: Env, endpoint: WebhookEndpoint, reason: string, now: Date, log: Logger): Promise<void> {
  const data = { endpointId: endpoint.id, ownerId: endpoint.ownerId, url: endpoint.url, reason }
  const id = await derivedEventId(endpoint.id, 1)
  await publishEvents(env, [{ id, type: 'webhook_endpoint.disabled', version: EVENT_VERSION, aggregateId: endpoint.id, seq: 1, occurredAt: now.toISOString(), data }])
  if (await disableEndpoint(env.DB, endpoint.id, reason)) log.warn('webhook_endpoint_disabled', { endpointId: endpoint.id, reason })
}

async function attempt(endpoint: WebhookEndpoint, message: WebhookMessage, now: Date, timeoutMs: number, send: Send): Promise<{ status: number | null; durationMs: number; error: string | null }> {
  // Standard Webhooks: several space-separated signatures; a receiver accepts any one it can verify.
  const signature = signingSecrets(endpoint, now).map((secret) => new Webhook(secret).sign(message.id, now, message.payload)).join(' ')
  const started = performance.now()
  try {
    // The receiver gets the trace too (`traceparent`), so its own spans can join it.
    const res = await withSpan({ name: 'POST webhook', kind: 'client', attributes: { 'webhook.endpoint_id': endpoint.id } }, async () => {
      const answer = await send(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Souk-Webhooks/1',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
          ...traceHeader(),
        },
        body: message.payload,
      })
      annotateSpan({ attributes: { 'http.response.status_code': answer.status }, ...(answer.ok ? {} : { error: `status ${answer.status}` }) })
      return answer
    })
    await res.body?.cancel()
    return { status: res.status, durationMs: Math.round(performance.now() - started), error: null }
  } catch (err) {
    return { status: null, durationMs: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) }
  }
}
