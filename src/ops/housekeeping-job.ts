import { publishEvents } from '../events/publish-events'
import type { Logger } from '../core/logger'
import { jobsQueue } from '../orders/order-adapters'
import { publishOrderEvents } from '../orders/order-outbox-store'
import { overduePendingOrders, possiblyPaidCancelledOrders } from '../orders/order-store'
import { settingsOf } from '../config'
import { database } from '../db/client'
import { pendingPayoutsBefore } from '../ledger/payout-store'
import { queuePayoutTransfer } from '../payouts/payout-adapters'

const OVERDUE_BATCH = 200
/** How long after a cancelled order was due the backstop still asks the provider about its money. */
const LATE_MONEY_WINDOW_MS = 24 * 3_600_000
/** A payout still pending this long after it was recorded lost its transfer job (the queue refused it, or dead-lettered it). */
const PAYOUT_JOB_GRACE_MS = 15 * 60_000
/** …asked again only within this long of its start: the provider forgets a transfer's idempotency key after a day. */
const PAYOUT_RESEND_WINDOW_MS = 20 * 3_600_000

/**
 * The cron safety net: tidies what nothing else needs to wait for. Correctness never depends on
 * it (cron does not fire under `wrangler dev`); every deadline that matters runs on an alarm.
 */
export async function housekeeping(env: Env, now: Date, log: Logger): Promise<void> {
  // Law 4's backstop: an order still waiting for payment after it was due had its timers lost
  // (a dead-lettered job, a listing that could not be reached): ask the provider once more.
  const overdue = await overduePendingOrders(database(env.DB), now.toISOString(), OVERDUE_BATCH)
  const jobs = jobsQueue(env.JOBS, settingsOf(env).checkout.carrierStepSeconds)
  for (const order of overdue) await jobs.reconcile(order.id, 1, 0)
  // …and cancelled ones whose payment was still unknown: a capture that landed late is given back
  // (attempt 0 asks once, past the usual bound, like the provider's own webhook).
  const possiblyPaid = await possiblyPaidCancelledOrders(database(env.DB), new Date(now.getTime() - LATE_MONEY_WINDOW_MS).toISOString(), OVERDUE_BATCH)
  for (const order of possiblyPaid) await jobs.reconcile(order.id, 0, 0)
  // Order events the queue did not take when they were written (the orders' outbox).
  const republished = await publishOrderEvents(database(env.DB), (events) => publishEvents(env, events), { olderThan: new Date(now.getTime() - 60_000).toISOString(), limit: 1000 }, now.toISOString())
  // Payouts whose transfer job never ran to the end: ask the provider again (its key is the payout id, so nothing moves twice).
  const stalePayouts = await pendingPayoutsBefore(database(env.DB), new Date(now.getTime() - PAYOUT_JOB_GRACE_MS).toISOString(), OVERDUE_BATCH, new Date(now.getTime() - PAYOUT_RESEND_WINDOW_MS).toISOString())
  for (const payout of stalePayouts) await queuePayoutTransfer(env, payout.id)
  log.info('housekeeping', { overduePendingOrders: overdue.length, possiblyPaidCancelled: possiblyPaid.length, republishedOrderEvents: republished, pendingPayoutsRequeued: stalePayouts.length })
}
