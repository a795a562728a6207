import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { currencies, MAX_AMOUNT, type Currency } from '../../../src/core/money'
import {
  accounts,
  captureTransaction,
  imbalance,
  payoutReversalTransaction,
  payoutTransaction,
  platformFee,
  refundTransaction,
  settleTransaction,
  type LedgerTransaction,
} from '../../../src/ledger/ledger'
import {
  actorKinds,
  decideTransition,
  escrowedStatuses,
  finalStatuses,
  orderActions,
  targetOf,
  type ActorKind,
  type OrderAction,
  type OrderStatus,
} from '../../../src/orders/order-machine'

/**
 * The books under any mix of orders driven along legal paths of the order machine (capture on
 * pay or an approved review; settle on accept, auto-complete or release; refund on a cancel after paying or a dispute
 * refunded) and payouts of what sellers have earned: every transaction balances, escrow holds
 * exactly the money of orders in escrow, and what sellers and Souk hold is what was settled,
 * less what was paid out.
 */
const SELLERS = ['usr_s0', 'usr_s1', 'usr_s2']

type SimOrder = { id: string; sellerId: string; total: number; currency: Currency; status: OrderStatus; version: number }
type OrderSpec = { total: number; currency: Currency; seller: number }
type Command =
  /**
   * The `pick`-th of the steps the machine accepts for order `order` now (of those that do not end
   * the order, when `deep` and there are any), settled at `feeBps` if it settles.
   */
  | { kind: 'step'; order: number; pick: number; deep: boolean; feeBps: number }
  /**
   * A payout of `share` (0..1) of what a seller may take out, in the `currency`-th of the
   * currencies they hold money in; when it `fails` at the provider, its reversal follows.
   */
  | { kind: 'payout'; seller: number; currency: number; share: number; fails: boolean }

const totalArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_AMOUNT }) })
const orderArb: fc.Arbitrary<OrderSpec> = fc.record({ total: totalArb, currency: fc.constantFrom(...currencies), seller: fc.nat(SELLERS.length - 1) })
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('step' as const), order: fc.nat(11), pick: fc.nat(9), deep: fc.boolean(), feeBps: fc.integer({ min: 0, max: 5_000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('payout' as const),
      seller: fc.nat(SELLERS.length - 1),
      currency: fc.nat(4),
      share: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      fails: fc.boolean(),
    }),
  },
)

const steps: { action: OrderAction; actor: ActorKind }[] = orderActions.flatMap((action) => actorKinds.map((actor) => ({ action, actor })))

/** Balances by account and currency, from the entries alone. */
function balances(txs: readonly LedgerTransaction[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const tx of txs) for (const e of tx.entries) out.set(`${e.account}|${e.currency}`, (out.get(`${e.account}|${e.currency}`) ?? 0) + e.amount)
  return out
}
const balanceOf = (b: Map<string, number>, account: string, currency: Currency) => b.get(`${account}|${currency}`) ?? 0

describe('the ledger under any orders and payouts', () => {
  it('balances every transaction, keeps escrow equal to the orders in escrow, and sellers plus fees equal to what was settled less payouts', () => {
    const seen = new Map<string, number>()
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 12 }), fc.array(commandArb, { minLength: 1, maxLength: 120, size: 'max' }), (specs, commands) => {
        const orders = specs.map((s, i): SimOrder => ({ id: `ord_${i}`, sellerId: SELLERS[s.seller] ?? 'usr_s0', total: s.total, currency: s.currency, status: 'pending_payment', version: 1 }))
        const txs: LedgerTransaction[] = []
        const settled = new Map<Currency, number>()
        const paidOut = new Map<Currency, number>()

        for (const c of commands) {
          if (c.kind === 'payout') {
            const seller = SELLERS[c.seller] ?? 'usr_s0'
            const b = balances(txs)
            const held = currencies.filter((cur) => balanceOf(b, accounts.seller(seller), cur) > 0)
            const currency = held[c.currency % Math.max(1, held.length)]
            if (!currency) continue
            const amount = Math.floor(balanceOf(b, accounts.seller(seller), currency) * c.share)
            if (amount < 1) continue
            txs.push(payoutTransaction(`pyo_${txs.length}`, seller, amount, currency))
            seen.set('payout', (seen.get('payout') ?? 0) + 1)
            if (c.fails) {
              const before = balances(txs)
              txs.push(payoutReversalTransaction(`pyo_${txs.length - 1}`, seller, amount, currency))
              // The whole amount is back where it was: available to the seller again.
              expect(balanceOf(balances(txs), accounts.seller(seller), currency)).toBe(balanceOf(before, accounts.seller(seller), currency) + amount)
              seen.set('payout_reversal', (seen.get('payout_reversal') ?? 0) + 1)
            } else paidOut.set(currency, (paidOut.get(currency) ?? 0) + amount)
          } else {
            const o = orders[c.order % orders.length]
            if (!o) continue
            const legal = steps.filter((s) => decideTransition(o, s.action, s.actor).ok)
            const onward = legal.filter((s) => !finalStatuses.includes(targetOf(s.action)))
            const choices = c.deep && onward.length > 0 ? onward : legal
            const step = choices[c.pick % Math.max(1, choices.length)]
            if (!step) continue
            const d = decideTransition(o, step.action, step.actor)
            if (!d.ok) throw new Error(`a legal step was refused: ${JSON.stringify(d.refusal)}`)
            const { from, to } = d.transition
            // Paid, or a review approved (captured then): the money goes into escrow.
            if (step.action === 'pay' || step.action === 'approve') txs.push(captureTransaction(o))
            else if (step.action === 'accept' || step.action === 'auto_complete' || step.action === 'release') {
              txs.push(settleTransaction(o, c.feeBps))
              settled.set(o.currency, (settled.get(o.currency) ?? 0) + o.total)
            } else if ((step.action === 'cancel' && from === 'paid') || step.action === 'refund') txs.push(refundTransaction(o))
            o.status = to
            o.version += 1
            seen.set(step.action, (seen.get(step.action) ?? 0) + 1)
          }

          const last = txs.at(-1)
          if (last) {
            expect(imbalance(last.entries)).toEqual({})
            for (const e of last.entries) expect(Number.isSafeInteger(e.amount)).toBe(true)
          }
          const b = balances(txs)
          for (const currency of currencies) {
            const inEscrow = orders.filter((o) => o.currency === currency && escrowedStatuses.includes(o.status)).reduce((n, o) => n + o.total, 0)
            expect(balanceOf(b, accounts.escrow, currency)).toBe(inEscrow)
            const sellers = SELLERS.reduce((n, s) => n + balanceOf(b, accounts.seller(s), currency), 0)
            expect(sellers + balanceOf(b, accounts.platformFees, currency)).toBe((settled.get(currency) ?? 0) - (paidOut.get(currency) ?? 0))
            expect(balanceOf(b, accounts.payouts, currency)).toBe(paidOut.get(currency) ?? 0)
            for (const s of SELLERS) expect(balanceOf(b, accounts.seller(s), currency)).toBeGreaterThanOrEqual(0)
            expect(balanceOf(b, accounts.platformFees, currency)).toBeGreaterThanOrEqual(0)
          }
        }
        // The books as a whole: every currency sums to zero across all accounts.
        expect(imbalance(txs.flatMap((t) => t.entries))).toEqual({})
      }),
      { numRuns: 300 },
    )
    // The runs booked every kind of movement, many times (else the laws above were checked on too little).
    for (const kind of ['pay', 'approve', 'reject', 'cancel', 'accept', 'auto_complete', 'release', 'refund', 'payout', 'payout_reversal']) expect(seen.get(kind) ?? 0).toBeGreaterThan(10)
  })
})

describe('platformFee', () => {
  it('is floor(total × bps / 10000), never more than the total and never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 10_000 }), (total, bps) => {
        const fee = platformFee(total, bps)
        expect(fee).toBe(Number((BigInt(total) * BigInt(bps)) / 10_000n))
        expect(fee).toBeLessThanOrEqual(total)
        expect(fee).toBeGreaterThanOrEqual(0)
      }),
      { numRuns: 1_000 },
    )
  })

  it('rounds a fraction of a minor unit down, in the seller’s favour', () => {
    expect(platformFee(999, 1_000)).toBe(99)
    expect(platformFee(1, 5_000)).toBe(0)
    expect(platformFee(3, 5_000)).toBe(1)
    expect(platformFee(10_000, 1)).toBe(1)
  })

  it('is what settlement books to platform fees, the rest going to the seller', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 5_000 }), fc.constantFrom(...currencies), (total, bps, currency) => {
        const b = balances([settleTransaction({ id: 'ord_1', sellerId: 'usr_s0', total, currency }, bps)])
        expect(balanceOf(b, accounts.platformFees, currency)).toBe(platformFee(total, bps))
        expect(balanceOf(b, accounts.seller('usr_s0'), currency)).toBe(total - platformFee(total, bps))
        expect(balanceOf(b, accounts.escrow, currency)).toBe(-total)
      }),
    )
  })
})
