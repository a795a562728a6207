import { ok, reject, type Outcome } from '../../src/core/decision'
import type { IdPrefix } from '../../src/core/ids'
import { createLogger } from '../../src/core/logger'
import type { Currency, Money } from '../../src/core/money'
import { accounts, type LedgerKind, type LedgerTransaction } from '../../src/ledger/ledger'
import type { ListingDecision } from '../../src/listings/listing-decision'
import { createListing } from '../../src/listings/listing-lifecycle'
import type { ListingState } from '../../src/listings/listing-state'
import { commit, dueOrderReservations, release, reserve, reservedLine, restock, type Reserve, type Reserved, type SettledOutcome, type StockRejection } from '../../src/listings/stock'
import { draftRecord, firstHistory, type OrderDraft } from '../../src/orders/order-draft'
import { reservationFate } from '../../src/orders/reservation-fate'
import type { ActorKind, OrderAction, OrderStatus, Transition } from '../../src/orders/order-machine'
import type { CheckoutRecord, Jobs, NotFound, OrderBook, OrderPorts, OrderSettings, PaymentRecord, Recorded, RiskEngine, StockRoom, TransitionEffects } from '../../src/orders/order-ports'
import type { OrderRecord } from '../../src/orders/order-view'
import type { CaptureRequest, ChargeRequest, ChargeState, DeclineCode, GatewayOutcome, PaymentGateway, RefundRequest } from '../../src/payments/gateway'
import { captureTransaction } from '../../src/ledger/ledger'
import type { CheckoutAdmission, CheckoutAssessment, CheckoutRiskInput } from '../../src/risk/risk-engine'

/**
 * In-memory ports for the checkout saga and the order commands: an order book that applies
 * transitions by (status, version) as the D1 store does, listings run by the real pure stock
 * functions, a payment provider that answers from a script and keeps its own record of charges,
 * and recorders for jobs, risk and logs. Every call yields to the event loop first, so sagas run
 * with Promise.all really interleave. `trace` lists the calls in the order they were made.
 */
export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const T0 = new Date('2030-03-01T12:00:00.000Z')

export const SETTINGS: OrderSettings = {
  holdMs: 15 * MINUTE,
  paymentBoundMs: 24 * HOUR,
  reconcileDelaySeconds: 30,
  platformFeeBps: 1_000,
  autoCompleteMs: 3 * DAY,
  deliveryWindowMs: 14 * DAY,
  sandboxCarrier: true,
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
const copy = <T>(x: T): T => structuredClone(x)

export class FakeClock {
  private t: number
  constructor(start: Date = T0) {
    this.t = start.getTime()
  }
  readonly now = (): Date => new Date(this.t)
  advance(ms: number): void {
    this.t += ms
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime()
  }
}

/** A ledger transaction as the store keeps it. */
export type BookedTransaction = LedgerTransaction & { id: string; at: string }
/** A row of an order's history. */
export type OrderEventRow = { orderId: string; seq: number; status: OrderStatus; action: OrderAction | 'create'; actor: ActorKind; reason: string | null; at: string }

export class FakeOrderBook implements OrderBook {
  readonly orders = new Map<string, OrderRecord>()
  /** By order id: the store keeps one payment per order. */
  readonly payments = new Map<string, PaymentRecord>()
  /** By order id: the review an order held for review was written with. */
  readonly reviews = new Map<string, { reviewId: string; reasons: string[]; score: number | null; providerRef: string }>()
  readonly ledger: BookedTransaction[] = []
  readonly historyRows: OrderEventRow[] = []
  readonly disputes = new Map<string, { reason: string; outcome: 'refund' | 'release' | null }>()
  /** Every move asked for, and whether it was applied. */
  readonly moves: { orderId: string; action: OrderAction; actor: ActorKind; result: 'moved' | 'stale' }[] = []

  constructor(
    private readonly trace: string[],
    private readonly newId: (prefix: IdPrefix) => string,
  ) {}

  async get(orderId: string): Promise<OrderRecord | undefined> {
    await tick()
    const o = this.orders.get(orderId)
    return o && copy(o)
  }

  async history(orderId: string): Promise<{ status: OrderStatus; at: string }[]> {
    await tick()
    return this.historyRows.filter((h) => h.orderId === orderId).map((h) => ({ status: h.status, at: h.at }))
  }

  /** Checkouts given up before their order was written (the store's abandoned_checkouts). */
  readonly abandoned = new Set<string>()

  /** As the D1 store does it: one write, never over a given-up checkout (but cancelled), never twice. */
  async recordCheckout(draft: OrderDraft, record: CheckoutRecord, at: string): Promise<Recorded> {
    await tick()
    this.trace.push(`orders.recordCheckout ${draft.id} ${record.status}`)
    const history = firstHistory(draft, record.status, at, record.status === 'cancelled' ? record.reason : record.status === 'pending_review' ? 'risk_review' : null)
    const order = draftRecord(draft, history)
    if (this.orders.has(draft.id)) return { result: 'exists', order, history }
    if (record.status !== 'cancelled' && this.abandoned.has(draft.id)) return { result: 'abandoned', order, history }
    this.orders.set(draft.id, copy(order))
    for (const h of history) this.historyRows.push({ orderId: draft.id, ...h })
    if (record.status === 'pending_review') this.reviews.set(draft.id, { reviewId: record.reviewId, reasons: record.reasons, score: record.score, providerRef: record.providerRef })
    if (record.status === 'paid') {
      this.payments.set(draft.id, { id: this.newId('pay'), orderId: draft.id, provider: record.provider, providerRef: record.providerRef, amount: draft.total, currency: draft.currency, status: 'captured', captured: true })
      this.book(captureTransaction(order), at)
    }
    return { result: 'recorded', order, history }
  }

  async abandon(orderId: string, _reason: string, _at: string): Promise<OrderRecord | undefined> {
    await tick()
    this.trace.push(`orders.abandon ${orderId}`)
    const o = this.orders.get(orderId)
    if (o) return copy(o)
    this.abandoned.add(orderId)
    return undefined
  }

  async findByShipment(carrier: string, trackingNumber: string): Promise<OrderRecord | undefined> {
    await tick()
    const o = [...this.orders.values()].find((x) => x.carrier === carrier && x.trackingNumber === trackingNumber)
    return o && copy(o)
  }

  async create(order: OrderRecord): Promise<OrderRecord> {
    await tick()
    this.trace.push(`orders.create ${order.id}`)
    const twin = order.checkoutKey ? [...this.orders.values()].find((x) => x.buyerId === order.buyerId && x.checkoutKey === order.checkoutKey) : undefined
    const existing = twin ?? this.orders.get(order.id)
    if (existing) return copy(existing)
    this.orders.set(order.id, { ...copy(order), status: 'pending_payment', version: 1, updatedAt: order.createdAt })
    this.historyRows.push({ orderId: order.id, seq: 1, status: 'pending_payment', action: 'create', actor: 'buyer', reason: null, at: order.createdAt })
    return copy(order)
  }

  /** An order made elsewhere (an auction's win), put straight into the book. */
  put(order: OrderRecord): void {
    this.orders.set(order.id, copy(order))
  }

  async adopt(orderId: string, buyerId: string, checkoutKey: string, shippingAddress: string, paymentMethod: string): Promise<boolean> {
    await tick()
    const o = this.orders.get(orderId)
    if (!o || o.buyerId !== buyerId || o.checkoutKey !== null) return false
    this.orders.set(orderId, { ...o, checkoutKey, shippingAddress, paymentMethod })
    return true
  }

  async move(order: OrderRecord, t: Transition, actor: ActorKind, fx: TransitionEffects, at: string): Promise<'moved' | 'stale'> {
    await tick()
    const current = this.orders.get(order.id)
    if (!current || current.status !== t.from || current.version !== t.version) {
      this.moves.push({ orderId: order.id, action: t.action, actor, result: 'stale' })
      return 'stale'
    }
    this.trace.push(`orders.move ${order.id} ${t.action}`)
    this.moves.push({ orderId: order.id, action: t.action, actor, result: 'moved' })
    this.orders.set(order.id, {
      ...current,
      status: t.to,
      version: t.version + 1,
      updatedAt: at,
      ...(fx.shipment ? { carrier: fx.shipment.carrier, trackingNumber: fx.shipment.trackingNumber } : {}),
      ...(fx.deliveredAt ? { deliveredAt: fx.deliveredAt } : {}),
    })
    this.historyRows.push({ orderId: order.id, seq: t.version + 1, status: t.to, action: t.action, actor, reason: fx.reason ?? null, at })
    if (fx.ledger) this.book(fx.ledger, at)
    if (fx.payment && !this.payments.has(order.id)) this.payments.set(order.id, { ...fx.payment, id: this.newId('pay'), orderId: order.id, status: 'captured', captured: true })
    const payment = this.payments.get(order.id)
    if (fx.refundDue && payment?.status === 'captured') this.payments.set(order.id, { ...payment, status: 'refund_pending' })
    if (fx.dispute && 'open' in fx.dispute) {
      if (!this.disputes.has(order.id)) this.disputes.set(order.id, { reason: fx.dispute.open, outcome: null })
    } else if (fx.dispute) {
      const d = this.disputes.get(order.id)
      if (d && d.outcome === null) this.disputes.set(order.id, { ...d, outcome: fx.dispute.outcome })
    }
    return 'moved'
  }

  async recordLateMoney(order: OrderRecord, payment: Omit<PaymentRecord, 'id' | 'status'>, refund: LedgerTransaction | null, capture: LedgerTransaction | null, at: string): Promise<void> {
    await tick()
    this.trace.push(`orders.recordLateMoney ${order.id}`)
    // Only for a cancelled order, and only once: the payment row is unique per order.
    if (this.orders.get(order.id)?.status !== 'cancelled' || this.payments.has(order.id)) return
    this.payments.set(order.id, { ...payment, id: this.newId('pay'), orderId: order.id, status: 'refund_pending' })
    if (capture) this.book(capture, at)
    if (refund) this.book(refund, at)
  }

  async payment(orderId: string): Promise<PaymentRecord | undefined> {
    await tick()
    const p = this.payments.get(orderId)
    return p && copy(p)
  }

  async markRefunded(orderId: string, _at: string): Promise<void> {
    await tick()
    const p = this.payments.get(orderId)
    if (p?.status === 'refund_pending') this.payments.set(orderId, { ...p, status: 'refunded' })
  }

  /** Books a transaction at most once per (order, kind), as the unique index does. */
  private book(tx: LedgerTransaction, at: string): void {
    if (tx.orderId !== null && this.ledger.some((t) => t.orderId === tx.orderId && t.kind === tx.kind)) return
    this.ledger.push({ ...copy(tx), id: this.newId('txn'), at })
  }

  /** The kinds of an order's ledger transactions, in the order they were booked. */
  ledgerKinds(orderId: string): LedgerKind[] {
    return this.ledger.filter((t) => t.orderId === orderId).map((t) => t.kind)
  }

  /** An account's balance in a currency, from every entry booked. */
  balance(account: string, currency: Currency): number {
    return this.ledger.flatMap((t) => t.entries).reduce((n, e) => (e.account === account && e.currency === currency ? n + e.amount : n), 0)
  }

  escrow(currency: Currency = 'USD'): number {
    return this.balance(accounts.escrow, currency)
  }

  /** The statuses an order went through, from pending_payment on. */
  statuses(orderId: string): OrderStatus[] {
    return this.historyRows.filter((h) => h.orderId === orderId).map((h) => h.status)
  }

  only(): OrderRecord {
    const all = [...this.orders.values()]
    if (all.length !== 1) throw new Error(`expected exactly one order, found ${all.length}`)
    return copy(all[0] as OrderRecord)
  }
}

type StockMethod = 'reserve' | 'commit' | 'release' | 'restock'
type Shelf = { state: ListingState; settled: Map<string, SettledOutcome> }

/** Listings in memory, each run by the real stock functions with the store's record of settled ids. */
export class FakeStockRoom implements StockRoom {
  private readonly shelves = new Map<string, Shelf>()
  private readonly failures: { method: StockMethod; error: Error }[] = []
  readonly calls: { method: StockMethod; listingId: string; id: string }[] = []

  constructor(
    private readonly clock: FakeClock,
    private readonly trace: string[],
  ) {}

  add(...listings: ListingState[]): void {
    for (const l of listings) this.shelves.set(l.id, { state: copy(l), settled: new Map() })
  }

  /** The next call of `method` (to any listing) throws: the listing cannot be reached. */
  failNext(method: StockMethod, error = new Error(`listing unreachable (${method})`)): void {
    this.failures.push({ method, error })
  }

  state(listingId: string): ListingState {
    const shelf = this.shelves.get(listingId)
    if (!shelf) throw new Error(`no listing ${listingId}`)
    return copy(shelf.state)
  }

  settled(listingId: string, reservationId: string): SettledOutcome | undefined {
    return this.shelves.get(listingId)?.settled.get(reservationId)
  }

  /** Live reservations across every listing. */
  reservations(): { listingId: string; id: string; quantity: number }[] {
    return [...this.shelves.entries()].flatMap(([listingId, s]) => s.state.reservations.map((r) => ({ listingId, id: r.id, quantity: r.quantity })))
  }

  /** As the ListingObject answers: the line held, or that this order already bought it. */
  async reserve(listingId: string, cmd: Reserve): Promise<Outcome<Reserved, StockRejection | NotFound>> {
    const prior = this.shelves.get(listingId)?.settled.get(cmd.reservationId)
    const fresh = !this.shelves.get(listingId)?.state.reservations.some((r) => r.id === cmd.reservationId)
    const done = await this.run('reserve', listingId, cmd.reservationId, (s, p) => reserve(s, cmd, this.clock.now(), p))
    if (!done.ok) return done
    const line = reservedLine(this.state(listingId), cmd.reservationId)
    if (line) return ok({ state: 'held', line, fresh })
    if (prior === 'committed') return ok({ state: 'committed' })
    throw new Error(`reservation ${cmd.reservationId} accepted but not held`)
  }

  commit(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>> {
    return this.run('commit', listingId, orderId, (s, prior) => commit(s, orderId, this.clock.now(), prior))
  }

  release(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>> {
    return this.run('release', listingId, orderId, (s, prior) => release(s, orderId, 'released', this.clock.now(), prior))
  }

  restock(listingId: string, orderId: string, quantity: number): Promise<Outcome<unknown, StockRejection | NotFound>> {
    return this.run('restock', listingId, orderId, (s, prior) => restock(s, orderId, quantity, this.clock.now(), prior))
  }

  /**
   * The listings' alarm (ARCHITECTURE.md "Decisions"): each order-bound reservation whose time is up
   * asks its order's fate, then commits or releases, on the state as it stands after the answer.
   */
  async lapse(fate: (orderId: string, listingId: string) => Promise<'commit' | 'release'>): Promise<void> {
    for (const [listingId, shelf] of this.shelves) {
      for (const due of dueOrderReservations(shelf.state, this.clock.now())) {
        this.trace.push(`stock.lapse ${listingId} ${due.id}`)
        const f = await fate(due.id, listingId)
        if (!shelf.state.reservations.some((r) => r.id === due.id)) continue
        const prior = shelf.settled.get(due.id)
        const d = f === 'commit' ? commit(shelf.state, due.id, this.clock.now(), prior) : release(shelf.state, due.id, 'expired', this.clock.now(), prior)
        this.apply(shelf, d)
      }
    }
  }

  private async enter(method: StockMethod, listingId: string, id: string): Promise<void> {
    await tick()
    this.calls.push({ method, listingId, id })
    this.trace.push(`stock.${method} ${listingId} ${id}`)
    const i = this.failures.findIndex((f) => f.method === method)
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1)
      if (failure) throw failure.error
    }
  }

  private async run(
    method: StockMethod,
    listingId: string,
    id: string,
    decide: (s: ListingState, prior: SettledOutcome | undefined) => ListingDecision<StockRejection>,
  ): Promise<Outcome<unknown, StockRejection | NotFound>> {
    await this.enter(method, listingId, id)
    const shelf = this.shelves.get(listingId)
    if (!shelf) return reject({ code: 'not_found' })
    const d = decide(shelf.state, shelf.settled.get(id))
    if (!d.ok) return d
    this.apply(shelf, d)
    return ok(copy(shelf.state))
  }

  private apply(shelf: Shelf, d: ListingDecision<StockRejection>): void {
    if (!d.ok) return
    shelf.state = d.state
    // The core only moves an id forward (reserved → committed → restocked): the latest outcome wins, as in the listing store.
    for (const s of d.settlements) shelf.settled.set(s.reservationId, s.outcome)
  }
}

/**
 * How the provider answers one call. `succeeded` and `declined` are final answers; `unknown`:
 * nothing happened and no answer came; `lost`: the provider acted but the answer never arrived;
 * `unavailable`: nothing was attempted (breaker open, rate limit).
 */
export type Answer = 'succeeded' | 'declined' | 'unknown' | 'lost' | 'unavailable'
export type GatewayMethod = 'charge' | 'capture' | 'refund' | 'retrieve'
export type GatewayCall = { method: GatewayMethod; key: string; paymentId: string | null; amount: Money }

/** A charge as the provider keeps it, by the charge's key. */
export type FakeCharge = {
  key: string
  paymentId: string
  amount: Money
  status: 'authorized' | 'captured' | 'refunded' | 'declined'
  declineCode: DeclineCode | null
  /** Times money actually moved in (authorized → captured): never more than one. */
  captures: number
  refunds: number
}

/** A scriptable payment provider, idempotent by key like Stripe. Unscripted calls succeed. */
export class FakeGateway implements PaymentGateway {
  readonly provider = 'fake'
  readonly calls: GatewayCall[] = []
  readonly charges = new Map<string, FakeCharge>()
  declineCode: DeclineCode = 'card_declined'
  /** Runs during a call, after the provider acted and before its answer arrives. */
  during: ((call: GatewayCall) => Promise<void>) | null = null
  private readonly scripts: Record<GatewayMethod, Answer[]> = { charge: [], capture: [], refund: [], retrieve: [] }
  private payments = 0

  constructor(private readonly trace: string[]) {}

  /** The next calls of `method` answer these, in order; later ones succeed. */
  script(method: GatewayMethod, ...answers: Answer[]): void {
    this.scripts[method].push(...answers)
  }

  /** The provider's record changes behind Souk's back (a late charge, a capture by a twin). */
  land(req: Pick<ChargeRequest, 'key' | 'amount'>, status: FakeCharge['status']): FakeCharge {
    const existing = this.charges.get(req.key)
    const charge: FakeCharge = existing
      ? { ...existing, status }
      : { key: req.key, paymentId: this.newPaymentId(), amount: req.amount, status, declineCode: status === 'declined' ? this.declineCode : null, captures: 0, refunds: 0 }
    if (status === 'captured' && existing?.status !== 'captured') charge.captures += 1
    this.charges.set(req.key, charge)
    return charge
  }

  callsOf(method: GatewayMethod): GatewayCall[] {
    return this.calls.filter((c) => c.method === method)
  }

  /** Charges and captures at once (or only authorizes, `capture: 'manual'`), idempotent by key: a repeat answers as the first did. */
  async charge(req: ChargeRequest): Promise<GatewayOutcome> {
    const { call, answer } = await this.enter('charge', req.key, null, req.amount)
    if (answer === 'unknown' || answer === 'unavailable') return this.nothing(call, answer)
    let charge = this.charges.get(req.key)
    if (!charge) {
      charge = {
        key: req.key,
        paymentId: this.newPaymentId(),
        amount: req.amount,
        status: answer === 'declined' ? 'declined' : req.capture === 'manual' ? 'authorized' : 'captured',
        declineCode: answer === 'declined' ? this.declineCode : null,
        captures: answer === 'declined' || req.capture === 'manual' ? 0 : 1,
        refunds: 0,
      }
      this.charges.set(req.key, charge)
    }
    await this.during?.(call)
    if (answer === 'lost') return { status: 'unknown', reason: 'timeout' }
    return charge.status === 'declined' ? { status: 'declined', code: charge.declineCode ?? this.declineCode } : { status: 'succeeded', paymentId: charge.paymentId }
  }

  async capture(req: CaptureRequest): Promise<GatewayOutcome> {
    const { call, answer } = await this.enter('capture', req.key, req.paymentId, req.amount)
    if (answer === 'unknown' || answer === 'unavailable') return this.nothing(call, answer)
    const charge = this.byPayment(req.paymentId)
    if (answer === 'declined' || !charge || charge.status === 'declined') return { status: 'declined', code: charge?.declineCode ?? this.declineCode }
    if (charge.status === 'authorized') {
      charge.status = 'captured'
      charge.captures += 1
    }
    await this.during?.(call)
    if (answer === 'lost') return { status: 'unknown', reason: 'timeout' }
    return charge.status === 'refunded' && charge.captures === 0 ? { status: 'declined', code: 'invalid_payment_method' } : { status: 'succeeded', paymentId: charge.paymentId }
  }

  async refund(req: RefundRequest): Promise<GatewayOutcome> {
    const { call, answer } = await this.enter('refund', req.key, req.paymentId, req.amount)
    if (answer === 'unknown' || answer === 'unavailable') return this.nothing(call, answer)
    const charge = this.byPayment(req.paymentId)
    if (answer === 'declined' || !charge || charge.status === 'declined') return { status: 'declined', code: 'invalid_payment_method' }
    if (charge.status !== 'refunded') {
      charge.status = 'refunded'
      charge.refunds += 1
    }
    await this.during?.(call)
    if (answer === 'lost') return { status: 'unknown', reason: 'timeout' }
    return { status: 'succeeded', paymentId: charge.paymentId }
  }

  fingerprint(paymentMethod: string): Promise<string | null> {
    return Promise.resolve(paymentMethod)
  }
  async retrieve(req: ChargeRequest): Promise<ChargeState> {
    const { answer } = await this.enter('retrieve', req.key, null, req.amount)
    if (answer === 'unknown' || answer === 'unavailable' || answer === 'lost') return { status: 'unknown', reason: 'provider did not answer' }
    const charge = this.charges.get(req.key)
    if (!charge) return { status: 'not_found' }
    if (charge.status === 'declined') return { status: 'declined', code: charge.declineCode ?? this.declineCode }
    return { status: charge.status, paymentId: charge.paymentId }
  }

  private async enter(method: GatewayMethod, key: string, paymentId: string | null, amount: Money): Promise<{ call: GatewayCall; answer: Answer }> {
    await tick()
    const call = { method, key, paymentId, amount }
    this.calls.push(call)
    this.trace.push(`gateway.${method} ${key}`)
    return { call, answer: this.scripts[method].shift() ?? 'succeeded' }
  }

  private async nothing(call: GatewayCall, answer: 'unknown' | 'unavailable'): Promise<GatewayOutcome> {
    await this.during?.(call)
    return answer === 'unknown' ? { status: 'unknown', reason: 'HTTP 503' } : { status: 'unavailable', reason: 'circuit open' }
  }

  private byPayment(paymentId: string): FakeCharge | undefined {
    return [...this.charges.values()].find((c) => c.paymentId === paymentId)
  }

  private newPaymentId(): string {
    this.payments += 1
    return `pi_fake_${this.payments}`
  }
}

export type ScheduledJob =
  | { kind: 'reconcile'; orderId: string; attempt: number; delaySeconds: number; draft?: OrderDraft }
  | { kind: 'refund'; orderId: string; attempt: number; delaySeconds: number }
  | { kind: 'auto_complete'; orderId: string; dueAt: string }
  | { kind: 'review_expiry'; orderId: string; dueAt: string; paymentRef: string }
  | { kind: 'sandbox_carrier'; orderId: string; trackingNumber: string; step: 'in_transit' | 'delivered' }

export class FakeJobs implements Jobs {
  readonly scheduled: ScheduledJob[] = []
  constructor(private readonly trace: string[]) {}

  of<K extends ScheduledJob['kind']>(kind: K): Extract<ScheduledJob, { kind: K }>[] {
    return this.scheduled.filter((j): j is Extract<ScheduledJob, { kind: K }> => j.kind === kind)
  }

  private async add(job: ScheduledJob): Promise<void> {
    await tick()
    this.trace.push(`jobs.${job.kind} ${job.orderId}`)
    this.scheduled.push(job)
  }

  reconcile(orderId: string, attempt: number, delaySeconds: number, draft?: OrderDraft): Promise<void> {
    return this.add({ kind: 'reconcile', orderId, attempt, delaySeconds, ...(draft ? { draft: copy(draft) } : {}) })
  }
  refund(orderId: string, attempt: number, delaySeconds: number): Promise<void> {
    return this.add({ kind: 'refund', orderId, attempt, delaySeconds })
  }
  autoComplete(orderId: string, dueAt: string): Promise<void> {
    return this.add({ kind: 'auto_complete', orderId, dueAt })
  }
  reviewExpiry(orderId: string, dueAt: string, paymentRef: string): Promise<void> {
    return this.add({ kind: 'review_expiry', orderId, dueAt, paymentRef })
  }
  sandboxCarrier(orderId: string, trackingNumber: string, step: 'in_transit' | 'delivered'): Promise<void> {
    return this.add({ kind: 'sandbox_carrier', orderId, trackingNumber, step })
  }
}

/**
 * The risk engine as checkout asks it: `refusal` stands for a revoked credential or a frozen
 * account; otherwise it answers `assessment`, except that a caller who stepped up passes a
 * challenge (as the rules engine decides it).
 */
export class FakeRisk implements RiskEngine {
  assessment: CheckoutAssessment = { verdict: 'allow', hits: [], score: 0 }
  refusal: 'unauthenticated' | 'account_frozen' | null = null
  readonly asked: CheckoutRiskInput[] = []
  constructor(private readonly trace: string[] = []) {}
  async admitBuyer(buyerId: string, _credentialHash: string | null): Promise<{ kind: 'admitted' } | Extract<CheckoutAdmission, { kind: 'refused' }>> {
    await tick()
    this.trace.push(`risk.admitBuyer ${buyerId}`)
    return this.refusal ? { kind: 'refused', code: this.refusal } : { kind: 'admitted' }
  }
  async assessCheckout(input: CheckoutRiskInput): Promise<CheckoutAdmission> {
    await tick()
    this.asked.push(copy(input))
    this.trace.push(`risk.assessCheckout ${input.orderId}`)
    if (this.refusal) return { kind: 'refused', code: this.refusal }
    const passed = this.assessment.verdict === 'challenge' && input.steppedUp
    return { kind: 'assessed', assessment: passed ? { verdict: 'allow', hits: [], score: this.assessment.score } : copy(this.assessment) }
  }
}

export type FakeWorld = {
  ports: OrderPorts
  orders: FakeOrderBook
  stock: FakeStockRoom
  gateway: FakeGateway
  jobs: FakeJobs
  risk: FakeRisk
  clock: FakeClock
  /** Every call to the ports, in order. */
  trace: string[]
  /** The log lines, parsed. */
  logs: { level: string; msg: string; [field: string]: unknown }[]
  /** The listings' alarm: lapsed reservations ask their order's fate through the real port. */
  lapse(): Promise<void>
}

export function fakeOrderWorld(o: { now?: Date; settings?: Partial<OrderSettings> } = {}): FakeWorld {
  const trace: string[] = []
  const logs: FakeWorld['logs'] = []
  const counters = new Map<string, number>()
  const newId = (prefix: IdPrefix): string => {
    const n = (counters.get(prefix) ?? 0) + 1
    counters.set(prefix, n)
    return `${prefix}_${n}`
  }
  const clock = new FakeClock(o.now)
  const orders = new FakeOrderBook(trace, newId)
  const stock = new FakeStockRoom(clock, trace)
  const gateway = new FakeGateway(trace)
  const jobs = new FakeJobs(trace)
  const risk = new FakeRisk(trace)
  const log = createLogger({ sink: (line) => logs.push(JSON.parse(line) as FakeWorld['logs'][number]), now: clock.now, level: 'debug' })
  const ports: OrderPorts = {
    orders,
    stock,
    gateway,
    risk,
    jobs,
    settings: { ...SETTINGS, ...o.settings },
    now: clock.now,
    newId,
    random: () => 0.5,
    log,
  }
  return { ports, orders, stock, gateway, jobs, risk, clock, trace, logs, lapse: () => stock.lapse((id, listingId) => reservationFate(ports, id, listingId)) }
}

/** A fixed-price listing created at T0 through the real `createListing`. */
export function fixedListing(o: { id: string; sellerId?: string; currency?: Currency; price?: number; quantity?: number }): ListingState {
  const d = createListing(
    {
      id: o.id,
      sellerId: o.sellerId ?? 'usr_seller',
      title: `Listing ${o.id}`,
      description: 'A thing for sale',
      category: 'home',
      format: 'fixed_price',
      currency: o.currency ?? 'USD',
      acceptsOffers: false,
      fixed: { price: o.price ?? 2_500, quantity: o.quantity ?? 1 },
    },
    T0,
    { minAuctionMs: MINUTE, maxAuctionMs: 30 * DAY },
  )
  if (!d.ok) throw new Error(`fixture listing refused: ${JSON.stringify(d.rejection)}`)
  return d.state
}

/** A paid-for order record as the store would hold it, for commands that start after checkout. */
/**
 * A stand-in for the route's sealing of the address (pii/pii-adapters.ts): visibly tied to the
 * order it was sealed for, so a test sees which order an address went on.
 */
export const fakeSealAddress =
  (address: Record<string, string>) =>
  (orderId: string): Promise<string> =>
    Promise.resolve(`sealed(${orderId}):${JSON.stringify(address)}`)

export function orderRecord(o: Partial<OrderRecord> & { id: string }): OrderRecord {
  const at = T0.toISOString()
  return {
    buyerId: 'usr_buyer',
    sellerId: 'usr_seller',
    status: 'pending_payment',
    currency: 'USD',
    total: 2_500,
    items: [{ listingId: 'lst_a', quantity: 1, unitPrice: 2_500 }],
    shippingAddress: 'sealed(1 Main St)',
    checkoutKey: null,
    source: 'checkout',
    paymentMethod: 'pm_card_visa',
    paymentDueAt: new Date(T0.getTime() + SETTINGS.holdMs).toISOString(),
    carrier: null,
    trackingNumber: null,
    deliveredAt: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...o,
  }
}
