import type { AuthorizeRequest, CaptureRequest, ChargeState, GatewayOutcome, PaymentGateway, RefundRequest } from './gateway'
import { TransientGatewayError } from './gateway'
import type { SandboxAnswer } from './sandbox-gateway-object'

/** The sandbox provider's single object. */
export const sandboxStub = (env: Env) => env.SANDBOX_GATEWAY.get(env.SANDBOX_GATEWAY.idFromName('sandbox'))

/** The PaymentGateway port over the sandbox object; its fault tokens surface as transient errors. */
export function sandboxGateway(env: Env): PaymentGateway {
  const stub = sandboxStub(env)
  return {
    provider: 'sandbox',
    authorize: async (req: AuthorizeRequest) => answer(await stub.authorize(req.key, req.amount.amount, req.amount.currency, req.paymentMethod)),
    capture: async (req: CaptureRequest) => answer(await stub.capture(req.paymentId)),
    refund: async (req: RefundRequest) => answer(await stub.refund(req.paymentId)),
    retrieve: async (req: AuthorizeRequest): Promise<ChargeState> => {
      const charge = await stub.retrieve(req.key)
      if (charge?.status === 'declined') return { status: 'declined', code: charge.declineCode ?? 'card_declined' }
      if (!charge?.paymentId || charge.status === 'attempted') return { status: 'not_found' }
      return { status: charge.status, paymentId: charge.paymentId }
    },
  }
}

function answer(a: SandboxAnswer): GatewayOutcome {
  switch (a.status) {
    case 'succeeded':
      return { status: 'succeeded', paymentId: a.paymentId }
    case 'declined':
      return { status: 'declined', code: a.code }
    case 'server_error':
      throw new TransientGatewayError('sandbox answered 500', false)
    case 'timeout':
      throw new TransientGatewayError('sandbox did not answer in time', true)
  }
}
