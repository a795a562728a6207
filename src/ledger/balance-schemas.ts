import { z } from '@hono/zod-openapi'
import { currencies } from '../core/money'
import { pageOf } from '../http/common-schemas'
import { MoneySchema } from '../listings/listing-schemas'

/** The seller's balance and payouts, as the API shows them. */
const Amounts = z.array(z.object({ amount: z.number().int(), currency: z.enum(currencies) }))
export const BalanceSchema = z
  .object({
    available: Amounts.openapi({ description: 'Earned on completed orders, less payouts: can be paid out' }),
    pending: Amounts.openapi({ description: 'In escrow on paid orders not yet completed, less the platform fee' }),
  })
  .openapi('Balance')

export const PayoutBody = z.strictObject({ amount: MoneySchema }).openapi('PayoutRequest')
export const PayoutSchema = z
  .object({ id: z.string(), amount: MoneySchema, status: z.enum(['pending', 'paid', 'failed']), createdAt: z.string() })
  .openapi('Payout')
export const PayoutPage = pageOf(PayoutSchema).openapi('PayoutPage')
