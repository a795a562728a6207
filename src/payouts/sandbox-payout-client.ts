import { TransientGatewayError } from '../payments/gateway'
import { newId } from '../platform/runtime'
import type { PayoutProvider, TransferOutcome } from './payout-provider'

/** The sandbox's object for one payout's transfer (tests read the provider's own record there). */
export const sandboxPayoutStub = (env: Env, key: string) => env.SANDBOX_PAYOUTS.get(env.SANDBOX_PAYOUTS.idFromName(`payout:${key}`))

/** The PayoutProvider port over the sandbox objects; its 5xx and timeouts surface as transient errors. */
export function sandboxPayouts(env: Env): PayoutProvider {
  return {
    provider: 'sandbox',
    async transfer(req): Promise<TransferOutcome> {
      const answer = await sandboxPayoutStub(env, req.key).transfer(req.key, req.amount.amount, req.amount.currency, `tr_sandbox_${newId('pay').slice(4)}`)
      switch (answer.status) {
        case 'paid':
          return { status: 'paid', reference: answer.reference }
        case 'failed':
          return { status: 'failed', code: answer.code }
        case 'server_error':
          throw new TransientGatewayError('sandbox payouts answered 500', false)
        case 'timeout':
          throw new TransientGatewayError('sandbox payouts did not answer in time', true)
      }
    },
  }
}
