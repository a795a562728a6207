/**
 * A poll's results from its answers' scores (0..10): how many, their mean, the Net Promoter Score
 * and the distribution. Pure: counts per score in, figures out.
 *
 * NPS (Reichheld's): the percentage of promoters (9 or 10) minus the percentage of detractors
 * (0 to 6), from -100 to 100; passives (7, 8) count only in the total.
 */

export const MIN_SCORE = 0
export const MAX_SCORE = 10
/** One count per score, index = score. */
export type Distribution = number[]

export type PollResults = {
  count: number
  /** The mean score, to two decimals; null with no answers. */
  average: number | null
  /** Percent promoters minus percent detractors, to one decimal; null with no answers. */
  nps: number | null
  promoters: number
  passives: number
  detractors: number
  distribution: Distribution
}

export const isScore = (n: number): boolean => Number.isInteger(n) && n >= MIN_SCORE && n <= MAX_SCORE

/** The distribution of `rows` (a count per score, as a GROUP BY gives them); scores outside 0..10 are ignored. */
export function distributionOf(rows: readonly { score: number; count: number }[]): Distribution {
  const d: Distribution = Array.from({ length: MAX_SCORE + 1 }, () => 0)
  for (const { score, count } of rows) if (isScore(score) && Number.isInteger(count) && count > 0) d[score] = (d[score] ?? 0) + count
  return d
}

const round = (n: number, places: number) => {
  const f = 10 ** places
  return Math.round(n * f) / f
}

export function pollResults(distribution: Distribution): PollResults {
  const d = distributionOf(distribution.map((count, score) => ({ score, count })))
  const between = (lo: number, hi: number) => d.slice(lo, hi + 1).reduce((a, b) => a + b, 0)
  const count = between(MIN_SCORE, MAX_SCORE)
  const promoters = between(9, 10)
  const passives = between(7, 8)
  const detractors = between(0, 6)
  if (count === 0) return { count, average: null, nps: null, promoters, passives, detractors, distribution: d }
  const sum = d.reduce((acc, n, score) => acc + n * score, 0)
  return { count, average: round(sum / count, 2), nps: round(((promoters - detractors) / count) * 100, 1), promoters, passives, detractors, distribution: d }
}

/** A rating's mean from its count and sum (the aggregate row): two decimals, null with none. */
export const ratingAverage = (count: number, sum: number): number | null => (count > 0 ? round(sum / count, 2) : null)
