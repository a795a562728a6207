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
 * The risk policy as this isolate knows it: fetched from the policy object at most once per
 * `RISK_POLICY_TTL_SECONDS` (concurrent requests share one fetch), so neither a checkout nor the
 * edge's blocklist check waits on the object per request. A change reaches the isolate that made
 * it at once (`remember`) and every other within the TTL. If the object cannot be reached, the
 * last copy stands; with none, the deployment's initial rules and an empty blocklist do.
 */
export async function livePolicy(env: Env, settings: Settings, log: Logger, nowMs: number): Promise<LivePolicy> {
  if (cached && nowMs - cached.fetchedAt < settings.risk.policyTtlMs) return cached.policy
  inFlight ??= riskPolicyStub(env)
    .policy(settings.risk.initialRules)
    .then((p: RiskPolicy) => remember(p, nowMs))
    .catch((err: unknown) => {
      log.warn('risk_policy_unreachable', { err })
      // Kept for one TTL like a fetched copy, so an unreachable object is asked again, not hammered.
      const fallback = cached?.policy ?? compile({ rules: { version: 0, rules: settings.risk.initialRules, savedAt: '', savedBy: null }, blocklist: { version: 0, cidrs: [], savedAt: '', savedBy: null } })
      cached = { policy: fallback, fetchedAt: nowMs }
      return fallback
    })
    .finally(() => {
      inFlight = undefined
    })
  return await inFlight
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
