import { utf8 } from '../core/bytes'
import { derivedId } from '../core/ids'

/**
 * PAYMENTS.md "The checkout saga": a checkout's order id is derived from its buyer and Idempotency-Key,
 * so a retry, however late, is the same order: the same reservations, the same charge at the
 * provider. Unkeyed on purpose: a secret in the derivation would make a retry across that secret's
 * rotation a second order and a second charge. Nothing needs it: knowing an order id tells
 * nobody a usable key, since keys only ever count within their own caller's scope.
 */
export const checkoutOrderId = async (buyerId: string, idempotencyKey: string): Promise<string> =>
  derivedId('ord', new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(`souk/checkout-order\u0000${buyerId}\u0000${idempotencyKey}`))))
