import { settingsOf } from '../config'
import type { Logger } from '../core/logger'
import { MAX_JOB_DELAY_SECONDS, type JobMessage } from '../jobs/job-messages'
import { listingStub } from '../listings/listing-object'
import { paymentGateway } from '../payments/payment-gateway-client'
import { newId, rootLogger, systemClock } from '../platform/runtime'
import { velocityRiskEngine } from '../risk/risk-store'
import { lapsedReservationFate } from './order-commands'
import type { Jobs, OrderPorts, StockRoom } from './order-ports'
import { publishAfterMove } from './order-outbox-store'
import { d1OrderBook } from './order-store'

/** The orders' ports wired to this deployment: D1, the listing objects, the gateway, the jobs queue. */
export function orderPorts(env: Env, log: Logger = rootLogger(settingsOf(env).logLevel)): OrderPorts {
  const settings = settingsOf(env)
  return {
    orders: d1OrderBook(env.DB, (prefix) => newId(prefix), (orderId) => publishAfterMove(env.DB, env.EVENTS, orderId, systemClock().toISOString(), log)),
    stock: listingStock(env),
    gateway: paymentGateway(env, settings, log),
    risk: velocityRiskEngine(env.DB, settings.risk.checkoutVelocity, systemClock),
    jobs: jobsQueue(env.JOBS, settings.checkout.carrierStepSeconds),
    settings: {
      holdMs: settings.checkout.holdMs,
      paymentBoundMs: settings.checkout.paymentBoundMs,
      reconcileDelaySeconds: settings.checkout.reconcileDelaySeconds,
      platformFeeBps: settings.checkout.platformFeeBps,
      autoCompleteMs: settings.checkout.autoCompleteMs,
      sandboxCarrier: settings.environment === 'development',
    },
    now: systemClock,
    newId: (prefix) => newId(prefix),
    random: Math.random,
    log,
  }
}

function listingStock(env: Env): StockRoom {
  return {
    quote: (listingId, buyerId, quantity) => listingStub(env, listingId).quote(buyerId, quantity),
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
    reconcile: (orderId, attempt, delaySeconds) => send({ kind: 'reconcile', orderId, attempt }, delaySeconds),
    refund: (orderId, attempt, delaySeconds) => send({ kind: 'refund', orderId, attempt }, delaySeconds),
    autoComplete: (orderId, dueAt) => send({ kind: 'auto_complete', orderId, dueAt }, (Date.parse(dueAt) - now().getTime()) / 1000),
    sandboxCarrier: (orderId, trackingNumber, step) => send({ kind: 'sandbox_carrier', orderId, trackingNumber, step }, carrierStepSeconds),
  }
}

/** Asked by a listing object whose order-bound reservation lapsed. */
export const lapsedOrderFate = (env: Env, orderId: string): Promise<'commit' | 'release'> => lapsedReservationFate(orderPorts(env), orderId)
