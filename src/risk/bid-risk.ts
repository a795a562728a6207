import { idTime } from '../core/ids'
import { bidSignals, type Origins } from './action-signals'
import { decide, reasonsOf, type RiskRule } from './risk-rules'

/** What a bid brings for the rules: where it comes from, and the bid rules in force. */
export type BidRisk = { origin: Origins; rules: RiskRule[] }

export type BidJudgement = { kind: 'refused'; reasons: string[] } | { kind: 'placed'; flagged: string[] }

/**
 * A bid judged beside where its seller listed from (shill bidding is the two meeting). `block`
 * refuses; `review`, or a challenge a bid cannot answer, lets the bid stand, flagged. Pure: the
 * listing's object passes the seller's origin it keeps and the clock.
 */
export function judgeBid(risk: BidRisk | undefined, bid: { bidderId: string; amount: number }, seller: Origins | null, nowMs: number): BidJudgement {
  if (!risk || risk.rules.length === 0) return { kind: 'placed', flagged: [] }
  const signals = bidSignals({ amount: bid.amount, accountCreatedMs: idTime(bid.bidderId), nowMs, seller, bidder: risk.origin })
  const decision = decide(risk.rules, 'bid', signals, { steppedUp: false, canStepUp: false })
  if (decision.verdict === 'block') return { kind: 'refused', reasons: reasonsOf(decision) }
  return { kind: 'placed', flagged: decision.verdict === 'allow' ? [] : reasonsOf(decision) }
}
