import { TracedObject } from '../platform/traced-object'
import type { DeclineCode } from './gateway'
import { sandboxAttempt, sandboxRefusesRefund } from './sandbox-behaviour'

/** One charge as the sandbox provider keeps it: tests read these to prove one capture per order. */
export type SandboxCharge = {
  key: string
  paymentId: string | null
  amount: number
  currency: string
  paymentMethod: string
  /** `attempted`: every try so far failed before anything was charged (a 5xx). */
  status: 'attempted' | 'authorized' | 'captured' | 'refunded' | 'declined'
  declineCode: DeclineCode | null
  attempts: number
  /** How many times money actually moved in (authorized → captured): never more than one. */
  captures: number
  refunds: number
}

export type SandboxAnswer =
  | { status: 'succeeded'; paymentId: string }
  | { status: 'declined'; code: DeclineCode }
  | { status: 'server_error' }
  | { status: 'timeout' }

type Row = {
  key: string
  payment_id: string | null
  amount: number
  currency: string
  payment_method: string
  status: Exclude<SandboxCharge['status'], 'attempted'> | null
  decline_code: DeclineCode | null
  attempts: number
  captures: number
  refunds: number
}

/**
 * One shard of the sandbox payment provider (the default locally): behaves like a card processor
 * with Stripe's test tokens and Souk's fault tokens, idempotent by key like Stripe, and keeps its
 * own record of every charge. Charges are spread over SANDBOX_SHARDS objects by key, since a real
 * provider is not one serial point either (sandbox-gateway-client.ts).
 */
export class SandboxGatewayObject extends TracedObject {
  private readonly sql = this.ctx.storage.sql

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql.exec(`CREATE TABLE IF NOT EXISTS charges (
      key TEXT PRIMARY KEY, payment_id TEXT UNIQUE, amount INTEGER NOT NULL, currency TEXT NOT NULL, payment_method TEXT NOT NULL,
      status TEXT, decline_code TEXT, attempts INTEGER NOT NULL DEFAULT 0, captures INTEGER NOT NULL DEFAULT 0, refunds INTEGER NOT NULL DEFAULT 0)`)
  }

  /**
   * Charges and captures at once, idempotent by key like Stripe: a repeat answers as the first
   * did (and a lost answer stays lost). `paymentId` is made by the caller (see sandboxGateway).
   * `capture: 'manual'` only authorizes: the charge waits, held, for `capture`.
   */
  charge(key: string, paymentId: string, amount: number, currency: string, paymentMethod: string, capture: 'automatic' | 'manual' = 'automatic'): SandboxAnswer {
    const row = this.row(key)
    if (row?.status === 'authorized' || row?.status === 'captured' || row?.status === 'refunded') {
      if (sandboxAttempt(row.payment_method, row.attempts).kind === 'timeout_after_charge') return { status: 'timeout' }
      return { status: 'succeeded', paymentId: row.payment_id ?? '' }
    }
    if (row?.status === 'declined') return { status: 'declined', code: row.decline_code ?? 'card_declined' }
    const attempts = row?.attempts ?? 0
    this.sql.exec(
      `INSERT INTO charges (key, amount, currency, payment_method, attempts) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1`,
      key,
      amount,
      currency,
      paymentMethod,
    )
    const attempt = sandboxAttempt(paymentMethod, attempts)
    switch (attempt.kind) {
      case 'server_error':
        return { status: 'server_error' }
      case 'decline':
        this.sql.exec("UPDATE charges SET status = 'declined', decline_code = ? WHERE key = ?", attempt.code, key)
        return { status: 'declined', code: attempt.code }
      case 'charge':
      case 'timeout_after_charge':
        if (capture === 'manual') this.sql.exec("UPDATE charges SET status = 'authorized', payment_id = ? WHERE key = ?", paymentId, key)
        else this.sql.exec("UPDATE charges SET status = 'captured', payment_id = ?, captures = 1 WHERE key = ?", paymentId, key)
        return attempt.kind === 'charge' ? { status: 'succeeded', paymentId } : { status: 'timeout' }
    }
  }

  capture(paymentId: string): SandboxAnswer {
    const row = this.byPayment(paymentId)
    if (!row) return { status: 'declined', code: 'invalid_payment_method' }
    if (row.status === 'authorized') this.sql.exec("UPDATE charges SET status = 'captured', captures = captures + 1 WHERE payment_id = ?", paymentId)
    else if (row.status !== 'captured' && row.status !== 'refunded') return { status: 'declined', code: row.decline_code ?? 'card_declined' }
    return { status: 'succeeded', paymentId }
  }

  refund(paymentId: string): SandboxAnswer {
    const row = this.byPayment(paymentId)
    // A captured charge is refunded; a held authorization is voided (no money ever moved).
    if (!row || (row.status !== 'captured' && row.status !== 'authorized' && row.status !== 'refunded')) return { status: 'declined', code: 'invalid_payment_method' }
    if (row.status !== 'refunded' && sandboxRefusesRefund(row.payment_method)) return { status: 'declined', code: 'card_declined' }
    if (row.status !== 'refunded') this.sql.exec("UPDATE charges SET status = 'refunded', refunds = refunds + 1 WHERE payment_id = ?", paymentId)
    return { status: 'succeeded', paymentId }
  }

  retrieve(key: string): SandboxCharge | null {
    const row = this.row(key)
    return row ? toCharge(row) : null
  }

  charges(): SandboxCharge[] {
    return this.sql.exec<Row>('SELECT * FROM charges ORDER BY key').toArray().map(toCharge)
  }

  private row(key: string): Row | undefined {
    return this.sql.exec<Row>('SELECT * FROM charges WHERE key = ?', key).toArray()[0]
  }

  private byPayment(paymentId: string): Row | undefined {
    return this.sql.exec<Row>('SELECT * FROM charges WHERE payment_id = ?', paymentId).toArray()[0]
  }
}

function toCharge(r: Row): SandboxCharge {
  return {
    key: r.key,
    paymentId: r.payment_id,
    amount: r.amount,
    currency: r.currency,
    paymentMethod: r.payment_method,
    status: r.status ?? 'attempted',
    declineCode: r.decline_code,
    attempts: r.attempts,
    captures: r.captures,
    refunds: r.refunds,
  }
}
