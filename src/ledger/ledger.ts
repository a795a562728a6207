import type { Currency } from '../core/money'

/**
 * Souk's double-entry ledger, as pure functions that build transactions. Amounts are signed minor
 * units; every transaction sums to zero per currency (law 3). The accounts:
 *
 *   buyer_funding    money received from buyers' payment methods (contra: it runs negative)
 *   escrow           held between payment and settlement (paid, not yet completed or refunded)
 *   seller:<userId>  what Souk owes a seller, earned on completion
 *   platform_fees    Souk's commission, taken on completion
 *   payouts          money sent out to sellers' bank accounts
 */
export type Entry = { account: string; amount: number; currency: Currency }
export type LedgerKind = 'capture' | 'settle' | 'refund' | 'payout' | 'payout_reversal'
/** `orderId` names the order an order's transaction books; `payoutId` the payout a payout's (or its reversal) books. */
export type LedgerTransaction = { kind: LedgerKind; orderId: string | null; payoutId?: string; entries: Entry[] }

export const accounts = {
  buyerFunding: 'buyer_funding',
  escrow: 'escrow',
  seller: (userId: string) => `seller:${userId}`,
  platformFees: 'platform_fees',
  payouts: 'payouts',
} as const

type OrderMoney = { id: string; sellerId: string; total: number; currency: Currency }

/** The buyer's payment lands in escrow. */
export function captureTransaction(o: OrderMoney): LedgerTransaction {
  return balanced({
    kind: 'capture',
    orderId: o.id,
    entries: [
      { account: accounts.escrow, amount: o.total, currency: o.currency },
      { account: accounts.buyerFunding, amount: -o.total, currency: o.currency },
    ],
  })
}

/** Souk's fee on a total, in basis points, rounded down (the seller never pays a fraction more). */
export const platformFee = (total: number, feeBps: number): number => Math.floor((total * feeBps) / 10_000)

/** On completion escrow goes to the seller, less the platform's fee. */
export function settleTransaction(o: OrderMoney, feeBps: number): LedgerTransaction {
  const fee = platformFee(o.total, feeBps)
  return balanced({
    kind: 'settle',
    orderId: o.id,
    entries: [
      { account: accounts.escrow, amount: -o.total, currency: o.currency },
      { account: accounts.seller(o.sellerId), amount: o.total - fee, currency: o.currency },
      { account: accounts.platformFees, amount: fee, currency: o.currency },
    ].filter((e) => e.amount !== 0),
  })
}

/** A refund reverses the capture: escrow back to the buyer's payment method. */
export function refundTransaction(o: OrderMoney): LedgerTransaction {
  return balanced({
    kind: 'refund',
    orderId: o.id,
    entries: [
      { account: accounts.escrow, amount: -o.total, currency: o.currency },
      { account: accounts.buyerFunding, amount: o.total, currency: o.currency },
    ],
  })
}

/** A seller's available balance paid out. */
export function payoutTransaction(payoutId: string, sellerId: string, amount: number, currency: Currency): LedgerTransaction {
  return balanced({
    kind: 'payout',
    orderId: null,
    payoutId,
    entries: [
      { account: accounts.seller(sellerId), amount: -amount, currency },
      { account: accounts.payouts, amount, currency },
    ],
  })
}

/** A payout the provider refused: the money goes back to the seller's available balance (the payout, reversed). */
export function payoutReversalTransaction(payoutId: string, sellerId: string, amount: number, currency: Currency): LedgerTransaction {
  return balanced({
    kind: 'payout_reversal',
    orderId: null,
    payoutId,
    entries: [
      { account: accounts.payouts, amount: -amount, currency },
      { account: accounts.seller(sellerId), amount, currency },
    ],
  })
}

/** Per currency, what the entries leave unbalanced (empty when balanced). */
export function imbalance(entries: readonly Entry[]): Partial<Record<Currency, number>> {
  const sums: Partial<Record<Currency, number>> = {}
  for (const e of entries) sums[e.currency] = (sums[e.currency] ?? 0) + e.amount
  return Object.fromEntries(Object.entries(sums).filter(([, v]) => v !== 0))
}

function balanced(tx: LedgerTransaction): LedgerTransaction {
  if (Object.keys(imbalance(tx.entries)).length > 0) throw new Error(`unbalanced ${tx.kind} transaction`)
  return tx
}
