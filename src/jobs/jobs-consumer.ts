import { settingsOf } from '../config'
import type { Logger } from '../core/logger'
import { orderPorts } from '../orders/order-adapters'
import { autoCompleteOrder } from '../orders/order-commands'
import { refundDue } from '../orders/order-payment'
import { reconcileOrder } from '../orders/payment-reconciliation'
import type { OrderPorts } from '../orders/order-ports'
import { signPayload } from '../webhooks/signed-payload'
import { retryWithBackoff } from '../platform/queue-retry'
import { JobMessage } from '../orders/job-messages'

const retryBackoff = { baseSeconds: 2, capSeconds: 300 }

/** Delivers a request to Souk's own HTTP app in-process (the sandbox carrier's webhook). */
export type SelfFetch = (request: Request) => Promise<Response>

/**
 * Consumes the `jobs` queue. Each job is idempotent; one that fails is retried alone with
 * jittered backoff and in the end dead-lettered (`souk-jobs-dlq`), where an operator finds it.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env, log: Logger, selfFetch: SelfFetch): Promise<void> {
  const p = orderPorts(env, log)
  for (const msg of batch.messages) {
    const parsed = JobMessage.safeParse(msg.body)
    if (!parsed.success) {
      log.error('job_malformed', { messageId: msg.id, attempts: msg.attempts })
      retryWithBackoff(msg, env, retryBackoff)
      continue
    }
    try {
      await runJob(p, env, parsed.data, selfFetch)
      msg.ack()
    } catch (err) {
      log.error('job_failed', { kind: parsed.data.kind, orderId: parsed.data.orderId, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, retryBackoff)
    }
  }
}

async function runJob(p: OrderPorts, env: Env, job: JobMessage, selfFetch: SelfFetch): Promise<void> {
  switch (job.kind) {
    case 'reconcile':
      return reconcileOrder(p, job.orderId, job.attempt, job.draft)
    case 'refund':
      return refundDue(p, job.orderId, job.attempt)
    case 'auto_complete':
      return autoCompleteOrder(p, job.orderId, job.dueAt)
    case 'sandbox_carrier':
      return sandboxCarrierStep(p, env, job, selfFetch)
  }
}

/**
 * The sandbox carrier (development only): posts a signed tracking event to Souk's own carrier
 * webhook, exactly as a real carrier would, then schedules its next step.
 */
async function sandboxCarrierStep(p: OrderPorts, env: Env, job: Extract<JobMessage, { kind: 'sandbox_carrier' }>, selfFetch: SelfFetch): Promise<void> {
  if (!p.settings.sandboxCarrier) return
  const body = JSON.stringify({ id: `sandbox:${job.trackingNumber}:${job.step}`, trackingNumber: job.trackingNumber, status: job.step, occurredAt: p.now().toISOString() })
  const signature = await signPayload(settingsOf(env).carrierWebhookSecret, body, Math.floor(p.now().getTime() / 1000))
  const res = await selfFetch(
    new Request('https://souk.internal/v1/webhooks/carriers/sandbox', { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body }),
  )
  if (!res.ok) throw new Error(`sandbox carrier webhook answered ${res.status}`)
  if (job.step === 'in_transit') await p.jobs.sandboxCarrier(job.orderId, job.trackingNumber, 'delivered')
}
