import { z } from '@hono/zod-openapi'
import { verificationStatuses } from './verification'

/** A seller's identity verification, as the API shows it to them. */
export const VerificationSchema = z
  .object({
    status: z.enum(verificationStatuses).openapi({ description: '`unverified` (never started), `pending` (the provider’s session runs), `verified` (payouts allowed), `rejected` (start again)' }),
    url: z.string().optional().openapi({ description: 'While pending: the provider’s page where the seller completes the check (none with the sandbox)' }),
  })
  .openapi('SellerVerification', { example: { status: 'pending', url: 'https://verify.stripe.com/start/test_YWNjdF8xUHFSN3NMa2RJd0h1N2l4' } })

export const VerificationStatusSchema = VerificationSchema.openapi('SellerVerificationStatus', { example: { status: 'verified' } })
