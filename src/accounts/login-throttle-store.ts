import type { Settings } from '../config'
import { pseudonym } from '../core/pseudonym'
import { consumeQuota, refundQuota, resetQuota } from '../rate-limits/rate-limit-store'
import type { RateLimitVerdict } from '../rate-limits/gcra'
import type { RateLimitClass } from '../rate-limits/rate-limit-policy'

/**
 * Brute-force protection for login. Each attempt spends one unit of two budgets before the
 * password is checked (so a burst of parallel guesses cannot slip past a check made before any
 * of them failed): one per account and IP, one per IP. The account's budget is per address, so
 * failures from an attacker's address never lock the owner out from theirs. A login that succeeds
 * gives the IP's unit back and clears that address's failures on the account. Subjects are
 * pseudonyms: no e-mail or IP reaches a counter.
 */
export type LoginAttempt = { accountAtIp: string; ip: string }

export async function startLoginAttempt(
  env: Env,
  settings: Settings,
  email: string,
  ip: string,
): Promise<{ attempt: LoginAttempt; refusal?: { cls: RateLimitClass; verdict: RateLimitVerdict } }> {
  const attempt = {
    accountAtIp: await pseudonym(settings.pseudonymKey, 'login-account-ip', `${email}\n${ip}`),
    ip: await pseudonym(settings.pseudonymKey, 'ip', ip),
  }
  const limits = settings.rateLimits
  const [account, byIp] = await Promise.all([
    consumeQuota(env, 'loginFailuresPerAccountAndIp', attempt.accountAtIp, limits.loginFailuresPerAccountAndIp),
    consumeQuota(env, 'loginFailuresPerIp', attempt.ip, limits.loginFailuresPerIp),
  ])
  if (!account.allowed) return { attempt, refusal: { cls: 'loginFailuresPerAccountAndIp', verdict: account } }
  if (!byIp.allowed) return { attempt, refusal: { cls: 'loginFailuresPerIp', verdict: byIp } }
  return { attempt }
}

export async function loginSucceeded(env: Env, settings: Settings, attempt: LoginAttempt): Promise<void> {
  await Promise.all([
    resetQuota(env, 'loginFailuresPerAccountAndIp', attempt.accountAtIp),
    refundQuota(env, 'loginFailuresPerIp', attempt.ip, settings.rateLimits.loginFailuresPerIp),
  ])
}
