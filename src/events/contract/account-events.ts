import { z } from 'zod'

/**
 * What an account says happened to its standing. Its `seq` counts the account's changes of
 * standing (kept by the account object), so a freeze, an unfreeze and a freeze again are 1, 2, 3.
 */
export const AccountStandingData = z.object({ userId: z.string().min(1), by: z.string().min(1) })

export const accountEventTypes = ['account.frozen', 'account.unfrozen'] as const
export type AccountEvent = { type: (typeof accountEventTypes)[number]; data: z.infer<typeof AccountStandingData> }
