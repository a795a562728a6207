import { TracedObject } from '../platform/traced-object'
import type { RiskRule } from './risk-rules'

/** The one risk policy of the deployment. */
export const riskPolicyStub = (env: Env) => env.RISK_POLICY.get(env.RISK_POLICY.idFromName('policy'))

export type RuleSetVersion = { version: number; rules: RiskRule[]; savedAt: string; savedBy: string | null }
export type Blocklist = { version: number; cidrs: string[]; savedAt: string; savedBy: string | null }
/** What every isolate caches: the rules and the blocklist, each with its version. */
export type RiskPolicy = { rules: RuleSetVersion; blocklist: Blocklist }

export type SaveOutcome<T> = { ok: true; saved: T } | { ok: false; current: number }

type VersionRow = { version: number; rules: string; saved_at: string; saved_by: string | null }

const BLOCKLIST = 'blocklist'
/** Ranges kept at most: each request checks them all, in the isolate. */
export const MAX_BLOCKED_RANGES = 5_000

/**
 * The risk rules, every version ever saved, and the IP blocklist (docs/SECURITY.md "Risk
 * engine"). One object: staff change these rarely, and every isolate reads them through a cache
 * (risk-policy-cache.ts), never once per request. Saving takes the version the editor read, so
 * two staff editing at once cannot overwrite each other (412 for the later one).
 */
export class RiskPolicyObject extends TracedObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rule_versions (
      version INTEGER PRIMARY KEY, rules TEXT NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT)`)
  }

  /**
   * `initial`: the deployment's starting rules (settings), version 1 until staff save their own.
   * `known`: the versions the caller holds; when both are still current, only that is answered
   * (an isolate refreshing its copy every few seconds moves no rules and no ranges).
   */
  policy(initial: RiskRule[], known?: { rules: number; blocklist: number }): RiskPolicy | 'unchanged' {
    const rules = this.current(initial)
    const blocklist = this.blocklist()
    if (known && known.rules === rules.version && known.blocklist === blocklist.version) return 'unchanged'
    return { rules, blocklist }
  }

  current(initial: RiskRule[]): RuleSetVersion {
    const row = this.ctx.storage.sql.exec<VersionRow>('SELECT * FROM rule_versions ORDER BY version DESC LIMIT 1').toArray()[0]
    return row ? toVersion(row) : { version: 1, rules: initial, savedAt: '1970-01-01T00:00:00.000Z', savedBy: null }
  }

  /** Saves `rules` as the next version, if `expected` is still the current one (or no version is asked for). */
  save(rules: RiskRule[], expected: number | null, savedBy: string, savedAt: string): SaveOutcome<RuleSetVersion> {
    return this.ctx.storage.transactionSync(() => {
      const current = this.current([])
      if (expected !== null && expected !== current.version) return { ok: false as const, current: current.version }
      const saved = { version: current.version + 1, rules, savedAt, savedBy }
      this.ctx.storage.sql.exec('INSERT INTO rule_versions (version, rules, saved_at, saved_by) VALUES (?, ?, ?, ?)', saved.version, JSON.stringify(rules), savedAt, savedBy)
      return { ok: true as const, saved }
    })
  }

  /** Earlier versions, newest first: what changed and who changed it. */
  history(limit: number, before: number | null): RuleSetVersion[] {
    return this.ctx.storage.sql
      .exec<VersionRow>('SELECT * FROM rule_versions WHERE (?1 IS NULL OR version < ?1) ORDER BY version DESC LIMIT ?2', before, limit)
      .toArray()
      .map(toVersion)
  }

  blocklist(): Blocklist {
    return this.ctx.storage.kv.get<Blocklist>(BLOCKLIST) ?? { version: 0, cidrs: [], savedAt: '1970-01-01T00:00:00.000Z', savedBy: null }
  }

  /** Adds ranges (an import), or replaces the list; ranges arrive parsed and normalized. */
  importRanges(cidrs: string[], mode: 'add' | 'replace', savedBy: string, savedAt: string): { ok: true; saved: Blocklist } | { ok: false; limit: number } {
    const current = this.blocklist()
    const merged = [...new Set(mode === 'replace' ? cidrs : [...current.cidrs, ...cidrs])]
    if (merged.length > MAX_BLOCKED_RANGES) return { ok: false, limit: MAX_BLOCKED_RANGES }
    const saved = { version: current.version + 1, cidrs: merged, savedAt, savedBy }
    this.ctx.storage.kv.put(BLOCKLIST, saved)
    return { ok: true, saved }
  }
}

const toVersion = (r: VersionRow): RuleSetVersion => ({ version: r.version, rules: JSON.parse(r.rules) as RiskRule[], savedAt: r.saved_at, savedBy: r.saved_by })
