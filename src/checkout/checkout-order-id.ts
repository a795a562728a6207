import { derivedId } from '../core/ids'
import { keyedDigest } from '../core/pseudonym'

/**
 * DESIGN "Checkout" step 2: a checkout's order id is derived from its buyer and Idempotency-Key,
 * so a retry, however late, is the same order: the same reservations, the same charge at the
 * provider. Keyed (HMAC with the deployment's pseudonym key), so nobody can predict the order id
 * of someone else's checkout from its key.
 */
export const checkoutOrderId = async (secret: string, buyerId: string, idempotencyKey: string): Promise<string> =>
  derivedId('ord', await keyedDigest(secret, 'checkout-order', `${buyerId}\u0000${idempotencyKey}`))
