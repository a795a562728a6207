import { describe, expect, it } from 'vitest'
import { idempotencyKeyOf } from '../../../../src/web/site/form-action'
import { MAX_PHOTOS, photosOf, type PhotoPart } from '../../../../src/web/site/listing-photos'
import { pollAnswerOf } from '../../../../src/web/site/poll-answer'

describe('idempotencyKeyOf', () => {
  it('makes the key from the action and the form’s nonce', () => {
    expect(idempotencyKeyOf('order.ship:ord_1', 'AbCdEfGhIjKlMnOpQrSt')).toBe('page:order.ship:ord_1:AbCdEfGhIjKlMnOpQrSt')
  })
  it('refuses a form without a nonce of ours', () => {
    for (const nonce of [undefined, '', 'short', 'has spaces in it ....', 'x'.repeat(65), 42]) expect(idempotencyKeyOf('a', nonce)).toBeUndefined()
  })
  it('never makes a key longer than the API takes', () => {
    expect(idempotencyKeyOf('a'.repeat(400), 'n'.repeat(20))?.length).toBe(255)
  })
})

describe('photosOf', () => {
  const file = (name: string, size: number): PhotoPart => ({ name, size, type: 'image/png' })
  const isFile = (v: unknown): v is PhotoPart => typeof v === 'object' && v !== null && 'size' in v
  it('keeps the non-empty files, one or many', () => {
    expect(photosOf(file('a.png', 10), isFile)).toEqual({ ok: true, photos: [file('a.png', 10)] })
    expect(photosOf([file('a.png', 10), file('', 0), 'text', file('b.png', 3)], isFile)).toEqual({ ok: true, photos: [file('a.png', 10), file('b.png', 3)] })
    expect(photosOf(undefined, isFile)).toEqual({ ok: true, photos: [] })
  })
  it('refuses more than the cap', () => {
    const r = photosOf(Array.from({ length: MAX_PHOTOS + 1 }, (_, i) => file(`${i}.png`, 1)), isFile)
    expect(r.ok).toBe(false)
  })
})

describe('pollAnswerOf', () => {
  it('takes a score from 0 to 10, a comment and the delivery it answers', () => {
    expect(pollAnswerOf({ score: '0' })).toEqual({ ok: true, body: { score: 0 } })
    expect(pollAnswerOf({ score: '10', comment: ' Fast ', deliveryId: 'pdv_1' })).toEqual({ ok: true, body: { score: 10, comment: 'Fast', deliveryId: 'pdv_1' } })
  })
  it('refuses anything else as a score', () => {
    for (const score of ['', '11', '-1', '7.5', 'ten', undefined]) expect(pollAnswerOf({ score }).ok, String(score)).toBe(false)
  })
})
