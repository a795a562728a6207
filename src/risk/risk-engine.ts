import type { RiskDecision } from './risk-rules'

/**
 * The risk engine's port, as the checkout asks it: "allow | challenge | review | block with
 * reasons, in a few milliseconds". The rules are data (risk-rules.ts), the signals come from the
 * buyer's account object and the signal shards of the request's address, device and card.
 */
export type { RiskVerdict } from './risk-rules'

/** Where a request came from, as the risk engine may know it: keyed pseudonyms, never the values. */
export type RequestOrigin = {
  /** `ip:<pseudonym>`; null for a loopback or unknown address (a developer's machine is not a signal). */
  ip: string | null
  /** `device:<pseudonym>` of the client's `X-Device-Id`; null without one. */
  device: string | null
  /** ISO 3166-1 alpha-2 of the address, where the edge knows it. */
  country: string | null
}

export type CheckoutRiskInput = {
  buyerId: string
  orderId: string
  credentialHash: string | null
  /** The order total in minor units, known once every line is held. */
  amount: number
  paymentMethod: string
  shippingCountry: string | null
  origin: RequestOrigin
  steppedUp: boolean
}

/** The assessment, with the anomaly score that went into it. */
export type CheckoutAssessment = RiskDecision & { score: number }

/**
 * A checkout's admission, from the buyer's account: refused (the caller's credential no longer
 * stands, or the account is frozen), or assessed by the risk rules.
 */
export type CheckoutAdmission = { kind: 'assessed'; assessment: CheckoutAssessment } | { kind: 'refused'; code: 'unauthenticated' | 'account_frozen' }

export interface RiskEngine {
  assessCheckout(input: CheckoutRiskInput): Promise<CheckoutAdmission>
  /** Paying an order that exists already (a won auction, whose bids were judged as they came): the buyer's authority only. */
  admitBuyer(buyerId: string, credentialHash: string | null): Promise<{ kind: 'admitted' } | Extract<CheckoutAdmission, { kind: 'refused' }>>
}
