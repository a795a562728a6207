import { createApp } from './app'
import { settingsOf } from './config'
import { consumeEvents, eventHandlers } from './events/events-consumer'
import { housekeeping } from './ops/housekeeping-job'
import { rootLogger } from './platform/runtime'

export { IdempotencyObject } from './idempotency/idempotency-object'
export { ListingObject } from './listings/listing-object'
export { RateLimiterObject } from './rate-limits/rate-limiter-object'

const app = createApp()

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    await consumeEvents(batch, env, eventHandlers, rootLogger(settingsOf(env).logLevel, { queue: batch.queue }))
  },

  async scheduled(controller, env) {
    const log = rootLogger(settingsOf(env).logLevel, { cron: controller.cron })
    await housekeeping(env, new Date(controller.scheduledTime), log)
  },
} satisfies ExportedHandler<Env>
