import type { Settings } from '../config'
import type { Logger } from '../core/logger'
import { blocklistMatcher, parseCidr, type Cidr } from './cidr'
import { riskPolicyStub, type RiskPolicy } from './risk-policy-object'
import type { RiskRule } from './risk-rules'

/** The policy as a request uses it: the rules, and the blocklist compiled for matching. */
export type LivePolicy = { rulesVersion: number; rules: RiskRule[]; blocklistVersion: number; isBlocked: (address: string) => boolean }

type Cached = { policy: LivePolicy; fetchedAt: number }

let cached: Cached | undefined
let inFlight: Promise<LivePolicy> | undefined

/**
 * The risk policy as this isolate knows it, without waiting on the policy object: the first
 * request of an isolate fetches it; after that the copy is served at once and, once it is older
 * than `RISK_POLICY_TTL_SECONDS`, refreshed beside the request (handed to `background`, the
 * request's waitUntil, when there is one). A change reaches the isolate that made it at once
 * (`remember`) and every other within about the TTL. A refresh that finds both versions unchanged
 * moves nothing. If the object cannot be reached, the last copy stands; with none, the
 * deployment's initial rules and an empty blocklist do.
 */
export async function livePolicy(env: Env, settings: Settings, log: Logger, nowMs: number, background?: (work: Promise<unknown>) => void): Promise<LivePolicy> {
  if (cached && nowMs - cached.fetchedAt < settings.risk.policyTtlMs) return cached.policy
  const refresh = (inFlight ??= fetchPolicy(env, settings, log, nowMs).finally(() => {
    inFlight = undefined
  }))
  if (!cached) return await refresh
  background?.(refresh)
  return cached.policy
}

async function fetchPolicy(env: Env, settings: Settings, log: Logger, nowMs: number): Promise<LivePolicy> {
  const known = cached && cached.policy.rulesVersion > 0 ? { rules: cached.policy.rulesVersion, blocklist: cached.policy.blocklistVersion } : undefined
  try {
    const answer = await riskPolicyStub(env).policy(settings.risk.initialRules, known)
    if (answer !== 'unchanged') return remember(answer, nowMs)
    if (!cached) throw new Error('the policy object answered unchanged to an isolate with no copy')
    cached = { policy: cached.policy, fetchedAt: nowMs }
    return cached.policy
  } catch (err) {
    log.warn('risk_policy_unreachable', { err })
    // Kept for one TTL like a fetched copy, so an unreachable object is asked again, not hammered.
    const fallback = cached?.policy ?? compile({ rules: { version: 0, rules: settings.risk.initialRules, savedAt: '', savedBy: null }, blocklist: { version: 0, cidrs: [], savedAt: '', savedBy: null } })
    cached = { policy: fallback, fetchedAt: nowMs }
    return fallback
  }
}

/** After a change made here: this isolate's copy becomes the object's current policy at once. */
export async function rememberCurrent(env: Env, settings: Settings, nowMs: number): Promise<void> {
  const answer = await riskPolicyStub(env).policy(settings.risk.initialRules)
  if (answer !== 'unchanged') remember(answer, nowMs)
}

/** Puts a policy just read or saved in this isolate's cache, and answers it compiled. */
export function remember(policy: RiskPolicy, nowMs: number): LivePolicy {
  const live = compile(policy)
  cached = { policy: live, fetchedAt: nowMs }
  return live
}

/** Forgets the cached copy (tests that change the policy behind the isolate's back). */
export function forgetPolicy(): void {
  cached = undefined
}

function compile(p: RiskPolicy): LivePolicy {
  const ranges = p.blocklist.cidrs.map(parseCidr).filter((c): c is Cidr => c !== null)
  return { rulesVersion: p.rules.version, rules: p.rules.rules, blocklistVersion: p.blocklist.version, isBlocked: blocklistMatcher(ranges) }
}
