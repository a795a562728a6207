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
import { rootLogger } from './platform/runtime'

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
  fetch: app.fetch,

  async queue(batch, env, ctx) {
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
  },

  async scheduled(controller, env) {
    const log = rootLogger(settingsOf(env).logLevel, { cron: controller.cron })
    await housekeeping(env, new Date(controller.scheduledTime), log)
  },
} satisfies ExportedHandler<Env>
