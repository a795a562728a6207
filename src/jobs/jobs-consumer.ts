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
import { z } from 'zod'
import { rebuildPorts, ReadModelRebuildJob, runRebuildStep } from '../listings/read-model-rebuild-job'
import { runSandboxIdentityJob, SandboxIdentityJob } from '../kyc/sandbox-identity-job'
import { payoutPorts } from '../payouts/payout-adapters'
import { PayoutJob } from '../payouts/payout-job'
import { transferPayout } from '../payouts/payout-transfer'
import { RiskFlagJob } from '../risk/risk-flag-job'
import { recordReview } from '../risk/risk-review-store'
import { expireHeldReview } from '../risk/review-expiry-adapters'
import { database } from '../db/client'
import { traceparentOf, withSpan } from '../platform/tracing'

const retryBackoff = { baseSeconds: 2, capSeconds: 300 }

/** Every job the queue carries: the order side's, the steps of a read-model rebuild, payout transfers and the sandbox identity provider's outcomes. */
const Job = z.discriminatedUnion('kind', [...JobMessage.options, ReadModelRebuildJob, PayoutJob, SandboxIdentityJob, RiskFlagJob])
type Job = z.infer<typeof Job>

/** What a job is about, for its log lines. */
function subjectOf(job: Job) {
  switch (job.kind) {
    case 'read_model_rebuild':
      return { rebuildId: job.rebuildId, step: job.step }
    case 'payout':
      return { payoutId: job.payoutId }
    case 'kyc_sandbox':
      return { userId: job.userId }
    case 'risk_flag':
      return { reviewId: job.review.id }
    default:
      return { orderId: job.orderId }
  }
}

/** Delivers a request to Souk's own HTTP app in-process (the sandbox carrier's webhook). */
export type SelfFetch = (request: Request) => Promise<Response>

/**
 * Consumes the `jobs` queue. Each job is idempotent; one that fails is retried alone with
 * jittered backoff and in the end dead-lettered (`souk-jobs-dlq`), where an operator finds it.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env, log: Logger, selfFetch: SelfFetch): Promise<void> {
  const p = orderPorts(env, log)
  for (const msg of batch.messages) {
    const parsed = Job.safeParse(msg.body)
    if (!parsed.success) {
      log.error('job_malformed', { messageId: msg.id, attempts: msg.attempts })
      retryWithBackoff(msg, env, retryBackoff)
      continue
    }
    try {
      // `later`: the job cannot run yet (a rebuild step whose predecessor is still recording itself).
      // A job continues the trace of whatever queued it (a checkout's reconciliation, a refund).
      const job = parsed.data
      const ran = await withSpan({ name: `job ${job.kind}`, kind: 'consumer', traceparent: traceparentOf(msg.body) }, () => runJob(p, env, job, selfFetch, log))
      if (ran === 'later') retryWithBackoff(msg, env, retryBackoff)
      else msg.ack()
    } catch (err) {
      log.error('job_failed', { kind: parsed.data.kind, ...subjectOf(parsed.data), attempts: msg.attempts, err })
      retryWithBackoff(msg, env, retryBackoff)
    }
  }
}

async function runJob(p: OrderPorts, env: Env, job: Job, selfFetch: SelfFetch, log: Logger): Promise<void | 'done' | 'later'> {
  switch (job.kind) {
    case 'reconcile':
      return reconcileOrder(p, job.orderId, job.attempt, job.draft)
    case 'refund':
      return refundDue(p, job.orderId, job.attempt)
    case 'auto_complete':
      return autoCompleteOrder(p, job.orderId, job.dueAt)
    case 'sandbox_carrier':
      return sandboxCarrierStep(p, env, job, selfFetch)
    case 'read_model_rebuild':
      return runRebuildStep(rebuildPorts(env, log), job)
    case 'payout':
      return transferPayout(payoutPorts(env, log), job.payoutId)
    case 'risk_flag':
      return recordReview(database(env.DB), job.review)
    case 'review_expiry':
      return expireHeldReview(p, database(env.DB), job, log)
    case 'kyc_sandbox':
      // Only while the sandbox is the provider, in development (as the sandbox carrier).
      if (settingsOf(env).environment === 'development' && settingsOf(env).identity.kind === 'sandbox') await runSandboxIdentityJob(job, settingsOf(env).gateway.stripe.webhookSecret, p.now(), selfFetch)
      return
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
