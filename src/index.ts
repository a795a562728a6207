import { createApp } from './app'
import { settingsOf } from './config'
import { eventConsumers } from './events/event-consumer-adapters'
import { consumeEvents } from './events/events-consumer'
import { consumerOfQueue, subscriptions } from './events/event-subscriptions'
import { forwardLegacyEvents } from './events/legacy-events-queue'
import { consumeJobs } from './jobs/jobs-consumer'
import { consumeWebhookDeliveries } from './webhook-endpoints/webhook-delivery-consumer'
import { consumeNotifications } from './notifications/notification-dispatch-consumer'
import { consumeDeadLetters } from './ops/dead-letter-consumer'
import { ListingObject as Listing } from './listings/listing-object'
import { housekeeping } from './ops/housekeeping-job'
import { lapsedOrderFate } from './orders/order-adapters'
import { alertsStub } from './ops/alerts-object'
import { metricsSinkOf } from './ops/metrics-adapters'
import { observedBatch } from './platform/observed-batch'
import { rootLogger } from './platform/runtime'
import { tracedEnv } from './platform/traced-env'
import { traceInvocation, traceparentOf } from './platform/tracing'

export { AccountObject } from './accounts/account-object'
export { AuditLogObject } from './audit/audit-log-object'
export { RiskPolicyObject } from './risk/risk-policy-object'
export { RiskSignalsObject } from './risk/risk-signals-object'
export { IdempotencyObject } from './idempotency/idempotency-object'
export { CircuitBreakerObject } from './payments/circuit-breaker-object'
export { SandboxGatewayObject } from './payments/sandbox-gateway-object'
export { SandboxPayoutObject } from './payouts/sandbox-payout-object'
export { UserLiveObject } from './notifications/user-live-object'
export { WatcherRelayObject } from './listings/watcher-relay-object'
export { RateLimiterObject } from './rate-limits/rate-limiter-object'
export { MetricsStoreObject } from './ops/metrics-store-object'
export { AlertsObject } from './ops/alerts-object'

/**
 * The listing object, given the order side's answer to "what became of this order?" for a hold
 * that lapsed (ARCHITECTURE.md "Decisions"): the listing side declares the port, the order side
 * answers it, and only this composition root knows both.
 */
export class ListingObject extends Listing {
  protected override reservationFate(orderId: string, listingId: string): Promise<'commit' | 'release'> {
    return lapsedOrderFate(this.env, orderId, listingId)
  }
}

const app = createApp()

export default {
  // Every binding carries the trace (platform/traced-env.ts); the request's span starts in requestContext.
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, tracedEnv(env), ctx),

  async queue(rawBatch, rawEnv, ctx) {
    const env = tracedEnv(rawEnv)
    const metrics = metricsSinkOf(env, (p) => ctx.waitUntil(p))
    // Each message is a metric point of its consumer: acked is a success, retried a failure.
    const name = consumerOfQueue(rawBatch.queue) ?? rawBatch.queue.replace(/^souk-/, '')
    const { batch, settleRest } = observedBatch(rawBatch, (o) => metrics.record({ kind: 'consumer', name, error: !o.ok, durationMs: o.durationMs, at: o.message.timestamp.getTime() }))
    const invocation = { env, waitUntil: (p: Promise<unknown>) => ctx.waitUntil(p) }
    await traceInvocation(invocation, { name: `consume ${name}`, kind: 'consumer', traceparent: sharedTraceparent(batch), attributes: { 'messaging.system': 'cloudflare_queues', 'messaging.destination.name': batch.queue, 'messaging.batch.message_count': batch.messages.length } }, async () => {
      try {
        await dispatch(batch, env, ctx)
        settleRest(true)
      } catch (err) {
        settleRest(false)
        throw err
      }
    })
  },

  async scheduled(controller: ScheduledController, rawEnv: Env, ctx?: ExecutionContext) {
    const env = tracedEnv(rawEnv)
    await traceInvocation({ env, waitUntil: (p) => (ctx ? ctx.waitUntil(p) : undefined) }, { name: 'scheduled housekeeping', kind: 'internal', attributes: { cron: controller.cron } }, async () => {
      const log = rootLogger(settingsOf(env).logLevel, { cron: controller.cron })
      await housekeeping(env, new Date(controller.scheduledTime), log)
      // Where cron runs, it also restarts alert evaluation should its alarm ever have stopped.
      await alertsStub(env).ensureRunning()
    })
  },
} satisfies ExportedHandler<Env>

async function dispatch(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  const log = rootLogger(settingsOf(env).logLevel, { queue: batch.queue })
  // Queue names may carry an environment suffix; each is dispatched by its prefix.
  const consumer = consumerOfQueue(batch.queue)
  if (batch.queue.endsWith('-dlq')) await consumeDeadLetters(batch, env, log)
  else if (consumer) await consumeEvents(batch, env, subscriptions[consumer], eventConsumers[consumer], log)
  else if (batch.queue.startsWith('souk-jobs')) await consumeJobs(batch, env, log, async (request) => app.fetch(request, env, ctx))
  else if (batch.queue.startsWith('souk-webhooks')) await consumeWebhookDeliveries(batch, env, log)
  else if (batch.queue.startsWith('souk-notifications')) await consumeNotifications(batch, env, log)
  else if (batch.queue.startsWith('souk-events')) await forwardLegacyEvents(batch, env, log)
  else {
    log.error('queue_unknown', { queue: batch.queue, messages: batch.messages.length })
    batch.retryAll()
  }
}

/**
 * The trace a batch continues: its messages' one trace when they all belong to it (a checkout's
 * event alone on a consumer's queue), else none (the batch starts its own). Consumers that work
 * message by message continue each message's own trace.
 */
function sharedTraceparent(batch: MessageBatch): string | undefined {
  const parents = batch.messages.map((m) => traceparentOf(m.body))
  const first = parents[0]
  const traceOf = (tp: string | undefined) => tp?.split('-')[1]
  return first && parents.every((tp) => traceOf(tp) === traceOf(first)) ? first : undefined
}
