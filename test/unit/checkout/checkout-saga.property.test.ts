import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CheckoutItem, CheckoutRequest } from '../../../src/checkout/checkout-context'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import type { ChargeRequest } from '../../../src/payments/gateway'
import { refundDue } from '../../../src/orders/order-payment'
import type { StockRoom } from '../../../src/orders/order-ports'
import { reconcileOrder } from '../../../src/orders/payment-reconciliation'
import { fakeOrderWorld, fakeSealAddress, fixedListing, SECOND, SETTINGS, type Answer, type FakeWorld } from '../../support/fake-order-ports'

/**
 * The checkout saga against the in-memory ports, driven by random runs of checkouts (buyers and
 * keys reused, so retries and twins happen), clock advances, listing alarms and the jobs queue,
 * judged by laws 1-4 (ARCHITECTURE.md) rather than by any expected answer. A key always carries the same
 * cart, as the idempotency layer's fingerprint makes sure at the edge.
 */
const LISTINGS = [
  { id: 'lst_a', price: 1_000, quantity: 3 },
  { id: 'lst_b', price: 2_500, quantity: 2 },
  { id: 'lst_c', price: 400, quantity: 4 },
]
const BUYERS = ['usr_b0', 'usr_b1', 'usr_b2']
const KEYS = ['k0', 'k1']
const PAIRS = BUYERS.flatMap((buyerId) => KEYS.map((key) => ({ buyerId, key })))

const answerArb: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Answer>('succeeded') },
  { weight: 3, arbitrary: fc.constantFrom<Answer>('declined', 'unknown', 'lost', 'unavailable') },
)
const cartArb: fc.Arbitrary<CheckoutItem[]> = fc
  .subarray(LISTINGS.map((l) => l.id), { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map((listingId) => fc.integer({ min: 1, max: 2 }).map((quantity) => ({ listingId, quantity })))))
const tryArb = fc.record({ pair: fc.nat(PAIRS.length - 1), answer: answerArb, lapseDuring: fc.nat(9).map((n) => n === 0) })

type Try = { pair: number; answer: Answer; lapseDuring: boolean }
type Command =
  | { kind: 'checkout'; tries: Try[] }
  | { kind: 'advance'; ms: number }
  | { kind: 'lapse' }
  | { kind: 'jobs' }

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: tryArb.map((t): Command => ({ kind: 'checkout', tries: [t] })) },
  { weight: 2, arbitrary: fc.array(tryArb, { minLength: 2, maxLength: 3 }).map((tries): Command => ({ kind: 'checkout', tries })) },
  { weight: 2, arbitrary: fc.integer({ min: SECOND, max: SETTINGS.holdMs }).map((ms): Command => ({ kind: 'advance', ms })) },
  { weight: 1, arbitrary: fc.constant<Command>({ kind: 'lapse' }) },
  { weight: 2, arbitrary: fc.constant<Command>({ kind: 'jobs' }) },
)

/** A world whose every stock call is followed by a check of law 1, with charges answered per order. */
function lawfulWorld() {
  const w = fakeOrderWorld()
  w.stock.add(...LISTINGS.map(fixedListing))
  const violations: string[] = []
  const checkStock = (when: string) => {
    for (const { id } of LISTINGS) {
      const s = w.stock.state(id)
      const reserved = s.reservations.reduce((n, r) => n + r.quantity, 0)
      if (s.sold + reserved > s.quantity) violations.push(`${when}: ${id} sold ${s.sold} + reserved ${reserved} > ${s.quantity}`)
    }
  }
  const stock = w.stock
  const checked: StockRoom = {
    reserve: async (listingId, cmd) => after(await stock.reserve(listingId, cmd), `reserve ${listingId}`),
    commit: async (listingId, orderId) => after(await stock.commit(listingId, orderId), `commit ${listingId}`),
    release: async (listingId, orderId) => after(await stock.release(listingId, orderId), `release ${listingId}`),
    restock: async (listingId, orderId, quantity) => after(await stock.restock(listingId, orderId, quantity), `restock ${listingId}`),
  }
  function after<T>(result: T, when: string): T {
    checkStock(when)
    return result
  }
  w.ports.stock = checked

  // Each try's charge answers as that try was told to; a try that never charges leaves nothing behind.
  const answers = new Map<string, Answer[]>()
  const charge = w.gateway.charge.bind(w.gateway)
  w.gateway.charge = (req: ChargeRequest) => {
    const answer = answers.get(req.key)?.shift()
    if (answer) w.gateway.script('charge', answer)
    return charge(req)
  }
  return { w, violations, checkStock, answers }
}

/** The jobs queue: each job runs once, no earlier than its delay after it was queued. */
class JobRunner {
  private stamped = 0
  private readonly dueAt: number[] = []
  private readonly done = new Set<number>()
  constructor(private readonly w: FakeWorld) {}

  stamp(): void {
    for (; this.stamped < this.w.jobs.scheduled.length; this.stamped++) {
      const job = this.w.jobs.scheduled[this.stamped]
      const delay = job && 'delaySeconds' in job ? job.delaySeconds * SECOND : 0
      this.dueAt[this.stamped] = this.w.clock.now().getTime() + delay
    }
  }

  /** Runs every job due now (and those they queue that are due now too). */
  async runDue(): Promise<void> {
    for (;;) {
      this.stamp()
      const i = this.dueAt.findIndex((at, n) => !this.done.has(n) && at <= this.w.clock.now().getTime())
      if (i < 0) return
      await this.run(i)
    }
  }

  /** Runs every job to its end, moving the clock to each one's time; `limit` guards against a job that never ends. */
  async drain(limit = 500): Promise<void> {
    for (let n = 0; n < limit; n++) {
      this.stamp()
      const pending = this.dueAt.map((at, i) => ({ at, i })).filter(({ i }) => !this.done.has(i))
      const next = pending.sort((a, b) => a.at - b.at)[0]
      if (!next) return
      if (next.at > this.w.clock.now().getTime()) this.w.clock.set(new Date(next.at))
      await this.run(next.i)
    }
    throw new Error('the jobs queue never drained')
  }

  private async run(i: number): Promise<void> {
    this.done.add(i)
    const job = this.w.jobs.scheduled[i]
    if (job?.kind === 'reconcile') await reconcileOrder(this.w.ports, job.orderId, job.attempt, job.draft)
    else if (job?.kind === 'refund') await refundDue(this.w.ports, job.orderId, job.attempt)
  }
}

function requestFor(carts: CheckoutItem[][], pair: number): CheckoutRequest {
  const { buyerId, key } = PAIRS[pair] ?? { buyerId: 'usr_b0', key: 'k0' }
  return {
    buyerId,
    key,
    orderId: `ord_${buyerId}_${key}`,
    items: carts[pair] ?? [],
    paymentMethod: 'pm_card_visa',
    sealAddress: fakeSealAddress({ line1: '1 Main St' }),
    credentialHash: null,
    steppedUp: false,
    shippingCountry: null,
    origin: { ip: null, device: null, country: null },
  }
}

/** Laws 2 and 3 as they hold whenever nothing is in flight. */
function expectMoneyLaws(w: FakeWorld): void {
  for (const c of w.gateway.charges.values()) expect(c.captures, `captures of ${c.key}`).toBeLessThanOrEqual(1)
  for (const tx of w.orders.ledger) {
    const sums = new Map<string, number>()
    for (const e of tx.entries) sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount)
    for (const [currency, sum] of sums) expect(sum, `ledger ${tx.id} in ${currency}`).toBe(0)
  }
  const paid = [...w.orders.orders.values()].filter((o) => o.status === 'paid')
  expect(w.orders.escrow()).toBe(paid.reduce((n, o) => n + o.total, 0))
  for (const o of paid) {
    expect(w.orders.payments.get(o.id), `payment of paid ${o.id}`).toMatchObject({ status: 'captured', providerRef: w.gateway.charges.get(o.id)?.paymentId, amount: o.total })
    expect(w.orders.ledgerKinds(o.id)).toEqual(['capture'])
  }
}

async function play(carts: CheckoutItem[][], commands: Command[]): Promise<void> {
  const { w, violations, checkStock, answers } = lawfulWorld()
  const jobs = new JobRunner(w)

  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'checkout': {
        const lapsing = cmd.tries.some((t) => t.lapseDuring)
        let lapsed = false
        w.gateway.during = lapsing
          ? async (call) => {
              if (call.method !== 'charge' || lapsed) return
              lapsed = true
              w.clock.advance(SETTINGS.holdMs + SECOND)
              await w.lapse()
              checkStock('lapse during a charge')
            }
          : null
        const requests = cmd.tries.map((t) => requestFor(carts, t.pair))
        for (const [i, t] of cmd.tries.entries()) {
          const id = requests[i]?.orderId ?? ''
          answers.set(id, [...(answers.get(id) ?? []), t.answer])
        }
        await Promise.all(requests.map((r) => runCheckout(w.ports, r)))
        answers.clear()
        w.gateway.during = null
        break
      }
      case 'advance':
        w.clock.advance(cmd.ms)
        break
      case 'lapse':
        await w.lapse()
        break
      case 'jobs':
        await jobs.runDue()
        break
    }
    jobs.stamp()
    checkStock(cmd.kind)
    expect(violations).toEqual([])
    expectMoneyLaws(w)
  }

  // Law 4: past every deadline and the payment bound, with the alarms and the jobs run to their end.
  w.clock.advance(SETTINGS.holdMs + SETTINGS.paymentBoundMs + 2 * SECOND)
  await w.lapse()
  await jobs.drain()
  await w.lapse()

  expect(violations).toEqual([])
  expect(w.stock.reservations()).toEqual([])
  const orders = [...w.orders.orders.values()]
  expect(orders.filter((o) => o.status === 'pending_payment').map((o) => o.id)).toEqual([])
  expectMoneyLaws(w)

  // Law 3: every captured charge belongs to a paid order or went back.
  for (const c of w.gateway.charges.values()) {
    if (c.captures === 0) continue
    const order = w.orders.orders.get(c.key)
    if (order?.status === 'paid') continue
    expect(c.status, `charge ${c.key} of ${order?.status ?? 'no order'}`).toBe('refunded')
    expect(w.orders.payments.get(c.key)).toMatchObject({ status: 'refunded', captured: true })
    expect(w.orders.ledgerKinds(c.key)).toEqual(['capture', 'refund'])
  }
  // The stock follows the money: each listing sold exactly what the paid orders bought of it.
  for (const { id } of LISTINGS) {
    const bought = orders.filter((o) => o.status === 'paid').flatMap((o) => o.items).filter((i) => i.listingId === id)
    expect(w.stock.state(id).sold, `sold of ${id}`).toBe(bought.reduce((n, i) => n + i.quantity, 0))
  }
}

describe('runCheckout: the laws hold whatever happens around it', () => {
  it('no oversell, at most one capture per order, no lost money, nothing stuck', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cartArb, { minLength: PAIRS.length, maxLength: PAIRS.length }), fc.array(commandArb, { minLength: 1, maxLength: 14 }), play),
      { numRuns: 60 },
    )
  }, 30_000)
})
