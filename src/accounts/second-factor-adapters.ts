import { sha256Hex } from '../core/bytes'
import { accountStub } from './account-adapters'
import type { SecondFactor } from './second-factor'
import { normalizeRecoveryCode } from './totp'

/** The factor kept in each user's account object. */
export const accountSecondFactor = (env: Env): SecondFactor => ({
  enrolled: (userId) => accountStub(env, userId).totpEnabled(),
  verify: (userId, code) => accountStub(env, userId).verifySecondFactor({ code }),
  recover: async (userId, recoveryCode) => accountStub(env, userId).verifySecondFactor({ recoveryHash: await sha256Hex(normalizeRecoveryCode(recoveryCode)) }),
})

/** The one place that picks the second factor; login and step-up both ask it. */
export const secondFactorFor = (env: Env): SecondFactor => accountSecondFactor(env)
