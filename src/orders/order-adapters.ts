import { publishEvents } from '../events/publish-events'
import { settingsOf } from '../config'
import type { Logger } from '../core/logger'
import { database } from '../db/client'
import { MAX_JOB_DELAY_SECONDS, type JobMessage } from './job-messages'
import { listingStub } from '../listings/listing-object'
import { paymentGateway } from '../payments/payment-gateway-client'
import { newId, rootLogger, systemClock } from '../platform/runtime'
import { d1OrderBook, type PublishOrderEvents } from './order-book-store'
import { publishAfterMove, publishRows } from './order-outbox-store'
import type { Jobs, OrderPorts, StockRoom } from './order-ports'
import { checkoutRisk } from '../risk/risk-adapters'
import { metricsSinkOf } from '../ops/metrics-adapters'
import { reservationFate } from './reservation-fate'

/**
 * Runs work that need not hold up the answer (publishing an order's events) after it; queue
 * consumers and alarms, which have no answer to hurry, leave it out and wait for the work.
 */
export type Defer = (work: () => Promise<unknown>) => void

/** The orders' ports wired to this deployment: D1, the listing objects, the accounts, the gateway, the jobs queue. */
export function orderPorts(env: Env, log: Logger = rootLogger(settingsOf(env).logLevel), defer?: Defer): OrderPorts {
  const settings = settingsOf(env)
  const db = database(env.DB)
  const gateway = paymentGateway(env, settings, log)
  const publish: PublishOrderEvents = async (orderId, written) => {
    const work = () => {
      const at = systemClock().toISOString()
      return written
        ? publishRows(db, (events) => publishEvents(env, events), written, at).catch((err: unknown) => log.warn('order_events_unpublished', { orderId, err }))
        : publishAfterMove(db, (events) => publishEvents(env, events), orderId, at, log)
    }
    if (defer) defer(work)
    else await work()
  }
  return {
    orders: d1OrderBook(db, (prefix) => newId(prefix), publish),
    stock: listingStock(env),
    gateway,
    risk: checkoutRisk(env, settings, log, systemClock, gateway),
    jobs: jobsQueue(env.JOBS, settings.checkout.carrierStepSeconds),
    settings: {
      holdMs: settings.checkout.holdMs,
      paymentBoundMs: settings.checkout.paymentBoundMs,
      reconcileDelaySeconds: settings.checkout.reconcileDelaySeconds,
      platformFeeBps: settings.checkout.platformFeeBps,
      autoCompleteMs: settings.checkout.autoCompleteMs,
      deliveryWindowMs: settings.checkout.deliveryWindowMs,
      sandboxCarrier: settings.environment === 'development',
    },
    now: systemClock,
    newId: (prefix) => newId(prefix),
    random: Math.random,
    log,
    // After the answer when there is one; a consumer or alarm lets the flush run on its own.
    metrics: metricsSinkOf(env, defer ? (p) => defer(() => p) : (p) => void p.catch(() => undefined)),
  }
}

function listingStock(env: Env): StockRoom {
  return {
    reserve: (listingId, cmd) => listingStub(env, listingId).reserve(cmd),
    commit: (listingId, orderId) => listingStub(env, listingId).commit(orderId),
    release: (listingId, orderId) => listingStub(env, listingId).release(orderId),
    restock: (listingId, orderId, quantity) => listingStub(env, listingId).restock(orderId, quantity),
  }
}

/** Timed work as delayed messages on the jobs queue; the sandbox carrier moves every `carrierStepSeconds`. */
export function jobsQueue(queue: Queue, carrierStepSeconds: number, now: () => Date = systemClock): Jobs {
  const send = async (body: JobMessage, delaySeconds: number): Promise<void> => {
    await queue.send(body, { contentType: 'json', delaySeconds: Math.max(0, Math.min(MAX_JOB_DELAY_SECONDS, Math.ceil(delaySeconds))) })
  }
  return {
    reconcile: (orderId, attempt, delaySeconds, draft) => send({ kind: 'reconcile', orderId, attempt, ...(draft ? { draft } : {}) }, delaySeconds),
    refund: (orderId, attempt, delaySeconds) => send({ kind: 'refund', orderId, attempt }, delaySeconds),
    autoComplete: (orderId, dueAt) => send({ kind: 'auto_complete', orderId, dueAt }, (Date.parse(dueAt) - now().getTime()) / 1000),
    reviewExpiry: (orderId, dueAt, paymentRef) => send({ kind: 'review_expiry', orderId, dueAt, paymentRef }, (Date.parse(dueAt) - now().getTime()) / 1000),
    sandboxCarrier: (orderId, trackingNumber, step) => send({ kind: 'sandbox_carrier', orderId, trackingNumber, step }, carrierStepSeconds),
  }
}

/** The ports of a request: its logger, and the work it leaves for after its answer (after-response.ts). */
export const portsOf = (c: { env: Env; var: { log: Logger; afterResponse: Defer } }): OrderPorts => orderPorts(c.env, c.var.log, c.var.afterResponse)

/** The order side's answer to a listing whose order-bound reservation lapsed (wired into the ListingObject in src/index.ts). */
export const lapsedOrderFate = (env: Env, orderId: string, listingId: string): Promise<'commit' | 'release'> => reservationFate(orderPorts(env), orderId, listingId)
