import { sha256Hex } from '../core/bytes'
import type { IdentityProvider } from './identity-provider'
import type { SandboxIdentityJob } from './sandbox-identity-job'
import { sandboxOutcome } from './verification'

/**
 * The sandbox identity provider (`IDENTITY_PROVIDER=sandbox`, development only): no network and
 * no hosted page. A session's id derives from its idempotency key (the same start is the same
 * session, as at Stripe), and its outcome (verification.ts `sandboxOutcome`) leaves as a delayed
 * jobs-queue message that posts the provider's signed event to Souk's webhook `delaySeconds` later.
 */
export function sandboxIdentity(jobs: Queue, delaySeconds: number): IdentityProvider {
  return {
    provider: 'sandbox',
    async start(req) {
      const sessionId = `vs_sandbox_${(await sha256Hex(req.key)).slice(0, 24)}`
      const job: SandboxIdentityJob = { kind: 'kyc_sandbox', userId: req.userId, sessionId, outcome: sandboxOutcome(req.displayName).kind }
      await jobs.send(job, { contentType: 'json', delaySeconds })
      return { sessionId, url: null }
    },
  }
}
