import { z } from 'zod'
import { signPayload } from '../webhooks/signed-payload'

/**
 * The sandbox identity provider's outcome (development only), a delayed message on the jobs
 * queue: when it is due, it is posted to Souk's own Stripe webhook as the signed
 * `identity.verification_session.*` event Stripe Identity would send, so a sandbox verification
 * ends through exactly the path a real one does.
 */
export const SandboxIdentityJob = z.object({
  kind: z.literal('kyc_sandbox'),
  userId: z.string(),
  sessionId: z.string(),
  outcome: z.enum(['verified', 'rejected']),
})
export type SandboxIdentityJob = z.infer<typeof SandboxIdentityJob>

/** Delivers a request to Souk's own HTTP app in-process. */
export type SelfFetch = (request: Request) => Promise<Response>

/** The event Stripe Identity sends for this outcome (a rejection is `requires_input` with a last error, as Stripe's). */
export function sandboxIdentityEvent(job: SandboxIdentityJob, createdSeconds: number) {
  const type = job.outcome === 'verified' ? 'identity.verification_session.verified' : 'identity.verification_session.requires_input'
  return {
    id: `evt_sandbox_${job.sessionId.slice('vs_sandbox_'.length)}_${job.outcome}`,
    object: 'event',
    type,
    created: createdSeconds,
    data: {
      object: {
        id: job.sessionId,
        object: 'identity.verification_session',
        status: job.outcome === 'verified' ? 'verified' : 'requires_input',
        last_error: job.outcome === 'verified' ? null : { code: 'document_unverified_other', reason: 'The sandbox rejects display names containing "reject".' },
        metadata: { user_id: job.userId },
      },
    },
  }
}

/** Posts the outcome to the webhook, signed with the Stripe webhook secret; throws (so the job retries) unless it is taken. */
export async function runSandboxIdentityJob(job: SandboxIdentityJob, webhookSecret: string, now: Date, selfFetch: SelfFetch): Promise<void> {
  const seconds = Math.floor(now.getTime() / 1000)
  const body = JSON.stringify(sandboxIdentityEvent(job, seconds))
  const signature = await signPayload(webhookSecret, body, seconds)
  const res = await selfFetch(new Request('https://souk.internal/v1/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body }))
  if (!res.ok) throw new Error(`sandbox identity webhook answered ${res.status}`)
}
