/** What the review queue holds: an order held before capture, or something that went ahead and is flagged. */
export const riskReviewKinds = ['order', 'payout', 'listing', 'registration', 'bid'] as const
export type ReviewKind = (typeof riskReviewKinds)[number]

export const riskReviewStatuses = ['open', 'approved', 'rejected'] as const
export type ReviewStatus = (typeof riskReviewStatuses)[number]
