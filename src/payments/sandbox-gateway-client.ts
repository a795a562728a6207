import { newId } from '../platform/runtime'
import type { CaptureRequest, ChargeRequest, ChargeState, GatewayOutcome, PaymentGateway, RefundRequest } from './gateway'
import { TransientGatewayError } from './gateway'
import type { SandboxAnswer, SandboxCharge } from './sandbox-gateway-object'

/**
 * The sandbox provider is spread over this many objects by the charge's key, so checkouts of
 * different orders never wait for each other there (a real provider is not one serial point).
 */
export const SANDBOX_SHARDS = 16

/** FNV-1a: a stable, even spread of keys over the shards. */
export function sandboxShard(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % SANDBOX_SHARDS
}

const shardStub = (env: Env, shard: number) => env.SANDBOX_GATEWAY.get(env.SANDBOX_GATEWAY.idFromName(`sandbox:${shard}`))

/** A sandbox payment id names its shard, so a capture or refund by id finds the charge. */
const paymentIdFor = (shard: number): string => `pi_sandbox_${shard}_${newId('pay').slice(4)}`
const shardOfPayment = (paymentId: string): number | undefined => {
  const shard = Number(/^pi_sandbox_(\d+)_/.exec(paymentId)?.[1])
  return Number.isInteger(shard) && shard < SANDBOX_SHARDS ? shard : undefined
}

/** The shard that keeps the charge made under `key` (tests read the provider's own record there). */
export const sandboxStub = (env: Env, key: string) => shardStub(env, sandboxShard(key))

/** Every charge the sandbox holds, across its shards, by key. */
export async function sandboxCharges(env: Env): Promise<SandboxCharge[]> {
  const shards = await Promise.all(Array.from({ length: SANDBOX_SHARDS }, (_, i) => shardStub(env, i).charges()))
  return shards.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** The PaymentGateway port over the sandbox shards; its fault tokens surface as transient errors. */
export function sandboxGateway(env: Env): PaymentGateway {
  const byPayment = async (paymentId: string, call: (stub: ReturnType<typeof shardStub>) => Promise<SandboxAnswer>): Promise<GatewayOutcome> => {
    const shard = shardOfPayment(paymentId)
    if (shard === undefined) return { status: 'declined', code: 'invalid_payment_method' }
    return answer(await call(shardStub(env, shard)))
  }
  return {
    provider: 'sandbox',
    charge: async (req: ChargeRequest) => {
      const shard = sandboxShard(req.key)
      return answer(await shardStub(env, shard).charge(req.key, paymentIdFor(shard), req.amount.amount, req.amount.currency, req.paymentMethod, req.capture))
    },
    capture: (req: CaptureRequest) => byPayment(req.paymentId, (stub) => stub.capture(req.paymentId)),
    refund: (req: RefundRequest) => byPayment(req.paymentId, (stub) => stub.refund(req.paymentId)),
    // Each test token stands for one card.
    fingerprint: (paymentMethod) => Promise.resolve(paymentMethod),
    retrieve: async (req: ChargeRequest): Promise<ChargeState> => {
      const charge = await sandboxStub(env, req.key).retrieve(req.key)
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
