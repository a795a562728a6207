import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { distributionOf, pollResults, ratingAverage } from '../../../src/polls/poll-results'
import { isPollTrigger, pollTarget, questionFor } from '../../../src/polls/poll-audience'

const scores = fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 300 })
const distributionOfScores = (list: number[]) => distributionOf(list.map((score) => ({ score, count: 1 })))

/** NPS the slow way: classify each answer on its own. */
function npsOf(list: number[]): number | null {
  if (list.length === 0) return null
  const promoters = list.filter((s) => s >= 9).length
  const detractors = list.filter((s) => s <= 6).length
  return Math.round(((promoters - detractors) / list.length) * 1000) / 10
}

describe('poll results', () => {
  it('count, mean, NPS and distribution agree with the answers taken one by one', () => {
    fc.assert(
      fc.property(scores, (list) => {
        const r = pollResults(distributionOfScores(list))
        expect(r.count).toBe(list.length)
        expect(r.distribution).toHaveLength(11)
        expect(r.distribution.reduce((a, b) => a + b, 0)).toBe(list.length)
        for (let s = 0; s <= 10; s++) expect(r.distribution[s]).toBe(list.filter((x) => x === s).length)
        expect(r.promoters + r.passives + r.detractors).toBe(list.length)
        expect(r.nps).toBe(npsOf(list))
        if (list.length === 0) expect(r.average).toBeNull()
        else expect(r.average).toBeCloseTo(list.reduce((a, b) => a + b, 0) / list.length, 2)
      }),
    )
  })

  it('keeps NPS within -100..100 and the mean within 0..10, whatever the order of answers', () => {
    fc.assert(
      fc.property(scores.filter((l) => l.length > 0), (list) => {
        const r = pollResults(distributionOfScores(list))
        const shuffled = pollResults(distributionOfScores([...list].reverse()))
        expect(shuffled).toEqual(r)
        expect(r.nps).toBeGreaterThanOrEqual(-100)
        expect(r.nps).toBeLessThanOrEqual(100)
        expect(r.average).toBeGreaterThanOrEqual(0)
        expect(r.average).toBeLessThanOrEqual(10)
      }),
    )
  })

  it('scores the textbook cases: all promoters 100, all detractors -100, passives 0', () => {
    expect(pollResults(distributionOfScores([9, 10, 10])).nps).toBe(100)
    expect(pollResults(distributionOfScores([0, 3, 6])).nps).toBe(-100)
    expect(pollResults(distributionOfScores([7, 8])).nps).toBe(0)
    // 2 promoters, 1 passive, 1 detractor of 4: 50% - 25%.
    expect(pollResults(distributionOfScores([10, 9, 7, 2]))).toMatchObject({ count: 4, average: 7, nps: 25, promoters: 2, passives: 1, detractors: 1 })
  })

  it('ignores counts for scores outside 0..10 and broken counts', () => {
    expect(distributionOf([{ score: 11, count: 3 }, { score: -1, count: 2 }, { score: 5, count: 1.5 }, { score: 5, count: -2 }, { score: 5, count: 2 }])).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0])
    expect(pollResults([])).toMatchObject({ count: 0, average: null, nps: null })
  })

  it('averages a rating aggregate to two decimals, null with none', () => {
    expect(ratingAverage(0, 0)).toBeNull()
    expect(ratingAverage(3, 28)).toBe(9.33)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10 }), (n, s) => {
        expect(ratingAverage(n, n * s)).toBe(s)
      }),
    )
  })
})

describe('poll audience', () => {
  it('asks the buyer about the seller and the seller about the buyer, and nobody about themselves', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (buyerId, sellerId) => {
        fc.pre(buyerId !== sellerId)
        expect(pollTarget('buyer', { buyerId, sellerId })).toEqual({ userId: buyerId, subjectId: sellerId })
        expect(pollTarget('seller', { buyerId, sellerId })).toEqual({ userId: sellerId, subjectId: buyerId })
      }),
    )
    expect(pollTarget('buyer', { buyerId: 'usr_a', sellerId: 'usr_a' })).toBeUndefined()
  })

  it('takes order events as triggers and nothing else', () => {
    expect(isPollTrigger('order.completed')).toBe(true)
    expect(isPollTrigger('order.delivered')).toBe(true)
    for (const t of ['bid.placed', 'listing.updated', 'account.frozen', 'order.', 'order.exploded', '']) expect(isPollTrigger(t), t).toBe(false)
  })

  it('names the subject wherever the question says {subject}, and leaves a name holding the placeholder as it is', () => {
    expect(questionFor('How was buying from {subject}?', 'Ana')).toBe('How was buying from Ana?')
    expect(questionFor('How likely are you to recommend Souk?', 'Ana')).toBe('How likely are you to recommend Souk?')
    expect(questionFor('{subject} and {subject}', '{subject}')).toBe('{subject} and {subject}')
  })
})
