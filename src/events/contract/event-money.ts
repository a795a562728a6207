import { z } from 'zod'
import { currencies } from '../../core/money'

/** An amount in minor units and its currency, as every event carries money. */
export const EventMoney = z.object({ amount: z.number().int(), currency: z.enum(currencies) })
