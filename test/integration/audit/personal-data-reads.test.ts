import { describe, expect, it } from 'vitest'
import { checkout, checkoutBody, fixedListing } from '../checkout/checkout-fixtures'
import { call, json, makeStaff, register, type Registered } from '../support/api'

/** Staff reads of another person's data are on the audit log (docs/SECURITY.md "The audit log"); the people's own reads are not. */
type Entry = { actorId: string; action: string; subjectId: string | null; details: Record<string, unknown> }

async function staff(role: 'support' | 'admin'): Promise<Registered> {
  const s = await register(role)
  await makeStaff(s.user.id, role)
  return s
}
const reads = async (boss: Registered, query: string): Promise<Entry[]> => (await json<{ data: Entry[] }>(await call(`/v1/admin/audit?action=personal_data.read&${query}&limit=100`, { token: boss.token }))).data

describe('personal_data.read', () => {
  it('is recorded when staff read someone’s order (its address), with who, whose, what and the request; never for the buyer or seller', async () => {
    const boss = await staff('admin')
    const support = await staff('support')
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const bought = await checkout(buyer, checkoutBody(listing.id))
    expect(bought.status).toBe(201)
    const order = await json<{ id: string }>(bought)

    expect((await call(`/v1/orders/${order.id}`, { token: buyer.token })).status).toBe(200)
    expect((await call(`/v1/orders/${order.id}`, { token: seller.token })).status).toBe(200)
    expect(await reads(boss, `subjectId=${buyer.user.id}`)).toEqual([])

    const seen = await call(`/v1/orders/${order.id}`, { token: support.token })
    expect(seen.status).toBe(200)
    expect(await json(seen)).toHaveProperty('shippingAddress')
    const entries = await reads(boss, `subjectId=${buyer.user.id}`)
    expect(entries).toEqual([
      expect.objectContaining({
        actorId: support.user.id,
        action: 'personal_data.read',
        subjectId: buyer.user.id,
        details: { what: 'order', resourceId: order.id, requestId: seen.headers.get('x-request-id'), sellerId: seller.user.id },
      }),
    ])

    // The buyer reading their own order again adds nothing; a stranger's 404 reads nothing.
    expect((await call(`/v1/orders/${order.id}`, { token: buyer.token })).status).toBe(200)
    const stranger = await register('stranger')
    expect((await call(`/v1/orders/${order.id}`, { token: stranger.token })).status).toBe(404)
    expect(await reads(boss, `subjectId=${buyer.user.id}`)).toHaveLength(1)
  })

  it('is recorded when an admin reads the dead letters, whose messages carry people’s data', async () => {
    const boss = await staff('admin')
    const res = await call('/v1/admin/dead-letters?queue=souk-jobs&limit=5', { token: boss.token })
    expect(res.status).toBe(200)
    const mine = (await reads(boss, `actorId=${boss.user.id}`)).filter((e) => e.details.what === 'dead_letters')
    expect(mine).toEqual([expect.objectContaining({ subjectId: null, details: expect.objectContaining({ what: 'dead_letters', resourceId: 'souk-jobs', requestId: res.headers.get('x-request-id') }) })])
  })
})
