import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Trust: sellers' identity verification (KYC) through the identity provider (docs/SECURITY.md
 * "Seller verification"). Conventions of every table: src/db/schema.ts.
 */
export const sellerVerifications = sqliteTable(
  'seller_verifications',
  {
    userId: text('user_id').primaryKey(),
    /** `pending` while the provider's session runs; `verified` is final; `rejected` may start again. */
    status: text('status', { enum: ['pending', 'verified', 'rejected'] }).notNull(),
    /** `sandbox` or `stripe` (or `seed` for the demo seller). */
    provider: text('provider').notNull(),
    /** The provider's session (`vs_…`): the only link to the person at the provider; erased with the account. */
    sessionId: text('session_id'),
    /** Where the person completes the session (Stripe's hosted page); none for the sandbox. */
    url: text('url'),
    /** Sessions started so far: the next one's idempotency key is `kyc:<user>:<attempts + 1>`. */
    attempts: integer('attempts').notNull(),
    /** Why the provider did not verify (its error code), on `rejected`. */
    lastError: text('last_error'),
    /**
     * Where payouts go at the payout provider: the seller's Stripe Connect account (`acct_…`),
     * recorded when their Connect onboarding is done (docs/PAYMENTS.md "Payouts"). The sandbox needs none.
     */
    payoutAccount: text('payout_account'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    verifiedAt: text('verified_at'),
  },
  (t) => [check('seller_verifications_status_check', sql`${t.status} in ('pending', 'verified', 'rejected')`)],
)
