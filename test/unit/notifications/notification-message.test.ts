import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { composeMessage, digestRef, type DueNotice } from '../../../src/notifications/notification-message'

const notice = (n: number, category: DueNotice['category'] = 'activity'): DueNotice => ({
  notificationId: `ntf_${String(n).padStart(26, '0')}`,
  type: n % 2 ? 'offer.received' : 'order.shipped',
  category,
  title: `Title ${n}`,
  body: `Body ${n}`,
})

describe('composeMessage', () => {
  it('has nothing to say when nothing is due', () => {
    expect(composeMessage([])).toBeNull()
  })

  it('sends one notice as itself, named by its id', () => {
    expect(composeMessage([notice(1)])).toEqual({
      ref: notice(1).notificationId,
      subject: 'Title 1',
      body: 'Body 1',
      urgent: false,
      data: { notificationId: notice(1).notificationId, type: 'offer.received' },
    })
  })

  it('collapses a digest into one message: a count, one line per notice, named by all of them', () => {
    const m = composeMessage([notice(1), notice(2), notice(3)])
    expect(m).toMatchObject({ ref: digestRef([1, 2, 3].map((n) => notice(n).notificationId)), subject: '3 updates from Souk', urgent: false })
    expect(m?.ref).toMatch(/^dig_[0-9a-f]{16}$/)
    expect(m?.body.split('\n')).toEqual(['• Title 1: Body 1', '• Title 2: Body 2', '• Title 3: Body 3'])
    expect(m?.data).toEqual({ type: 'digest', notificationIds: [1, 2, 3].map((n) => notice(n).notificationId) })
  })

  it.each(['payment', 'security'] as const)('is urgent when any part is %s', (category) => {
    expect(composeMessage([notice(1, category)])?.urgent).toBe(true)
    expect(composeMessage([notice(1), notice(2, category)])?.urgent).toBe(true)
  })
})

describe('digestRef', () => {
  it('names a set of notices whatever their order, and another set otherwise (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 30 }), (ns) => {
        const ids = ns.map((n) => notice(n).notificationId)
        expect(digestRef([...ids].reverse())).toBe(digestRef(ids))
        expect(digestRef(ids.slice(1))).not.toBe(digestRef(ids))
        expect(digestRef([...ids, notice(10_001).notificationId])).not.toBe(digestRef(ids))
      }),
    )
  })
})
