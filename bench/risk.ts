import { pathToFileURL } from 'node:url'
import { checkoutSignals } from '../src/risk/checkout-signals.ts'
import { defaultRiskRules } from '../src/risk/default-rules.ts'
import { decide } from '../src/risk/risk-rules.ts'
import { fmt, summarize, type Summary } from './stats.ts'

/**
 * Scenario (j): the risk engine's decision in process, as a checkout makes it once its signals are
 * in: the checkout signals and anomaly score built, then the default rules (src/risk/default-rules.ts)
 * run in Radar's order. Inputs vary (amounts, counts, countries, history) so every rule group is
 * taken. The signals' round trip (the account and shard calls, side by side) is in (e)'s latency.
 *
 *   npx tsx bench/risk.ts       (or BENCH_ONLY=j npm run bench)
 */
const decisions = Number(process.env.BENCH_RISK_DECISIONS ?? 200_000)
const TARGET_P99_MS = 5

export type RiskRow = { scenario: string; rate: string; latency: Summary; note: string }

export function riskScenario(progress: (line: string) => void): RiskRow[] {
  progress(`(j) ${decisions.toLocaleString('en')} risk decisions in process…`)
  const nowMs = Date.now()
  const verdicts = new Map<string, number>()
  const samples: number[] = []
  // Deterministic variety (xorshift32), so runs are comparable.
  let seed = 0x2545f491
  const next = (n: number) => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % n
  }
  const started = performance.now()
  for (let i = 0; i < decisions; i++) {
    const t0 = performance.now()
    const signals = checkoutSignals({
      amount: 500 + next(200_000),
      accountCreatedMs: nowMs - next(400) * 86_400_000,
      nowMs,
      buyer: { checkouts1h: next(40), checkouts24h: next(80), cards24h: 1 + next(8), pastCheckouts: next(50), medianAmount: next(20_000) },
      hasSecondFactor: next(2) === 0,
      ip: { lastHour: next(20), lastDay: next(100), subjectsLastDay: 1 + next(12) },
      device: next(3) === 0 ? null : { lastHour: next(5), lastDay: next(10), subjectsLastDay: 1 + next(4) },
      card: { lastHour: next(3), lastDay: next(6), subjectsLastDay: 1 + next(6) },
      shippingCountry: next(5) === 0 ? 'FR' : 'US',
      ipCountry: next(7) === 0 ? null : 'US',
    })
    const d = decide(defaultRiskRules, 'checkout', signals, { steppedUp: next(4) === 0, canStepUp: signals.has_second_factor })
    samples.push(performance.now() - t0)
    verdicts.set(d.verdict, (verdicts.get(d.verdict) ?? 0) + 1)
  }
  const elapsedMs = performance.now() - started
  const latency = summarize(samples)
  const mix = ['allow', 'challenge', 'review', 'block'].map((v) => `${v} ${(((verdicts.get(v) ?? 0) / decisions) * 100).toFixed(0)}%`).join(', ')
  const verdict = latency.p99 <= TARGET_P99_MS ? 'meets' : 'misses'
  return [
    {
      scenario: '(j) risk decision, in process',
      rate: `${Math.round(decisions / (elapsedMs / 1000)).toLocaleString('en')} decisions/s`,
      latency,
      note: `${decisions.toLocaleString('en')} checkout decisions over the ${defaultRiskRules.length} default rules (${mix}); p99 ${(latency.p99 * 1000).toFixed(1)} µs, max ${fmt(latency.max)} ms: ${verdict} the target p99 ≤ ${TARGET_P99_MS} ms`,
    },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of riskScenario(console.log)) console.log(row)
}
