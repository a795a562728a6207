import { z } from '@hono/zod-openapi'
import { currencies } from '../core/money'
import { pageOf } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { MoneySchema } from '../listings/listing-schemas'

/** The seller's balance and payouts, as the API shows them. */
const Amounts = z.array(z.object({ amount: z.number().int(), currency: z.enum(currencies) }))
export const BalanceSchema = z
  .object({
    available: Amounts.openapi({ description: 'Earned on completed orders, less payouts: can be paid out' }),
    pending: Amounts.openapi({ description: 'In escrow on paid orders not yet completed, less the platform fee' }),
  })
  .openapi('Balance', { example: { available: [{ amount: 4050, currency: 'EUR' }], pending: [{ amount: 2160, currency: 'EUR' }] } })

export const PayoutBody = z.strictObject({ amount: MoneySchema }).openapi('PayoutRequest', { example: { amount: { amount: 4000, currency: 'EUR' } } })

const examplePayout = { id: exampleIds.payout, amount: { amount: 4000, currency: 'EUR' }, status: 'pending', createdAt: '2026-03-22T09:15:00.000Z' }
export const PayoutSchema = z
  .object({ id: z.string(), amount: MoneySchema, status: z.enum(['pending', 'paid', 'failed']), createdAt: z.string() })
  .openapi('Payout', { example: examplePayout })
export const PayoutPage = pageOf(PayoutSchema).openapi('PayoutPage', { example: { data: [examplePayout], nextCursor: null } })
