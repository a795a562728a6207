import { afterAll, describe, expect, it } from 'vitest'
import { email, http, PASSWORD } from '../support/node/client'
import { Watcher } from '../support/node/watcher'

async function user(label: string): Promise<{ token: string; id: string }> {
  const res = await http('/v1/auth/register', { method: 'POST', json: { email: email(label), password: PASSWORD, displayName: label } })
  const body = (await res.json()) as { token: string; user: { id: string } }
  return { token: body.token, id: body.user.id }
}

const usd = (amount: number) => ({ amount, currency: 'USD' })
const watchers: Watcher[] = []
afterAll(async () => {
  await Promise.all(watchers.map((w) => w.close().catch(() => undefined)))
})

describe('the live channel over a real WebSocket', () => {
  it('gives every watcher every event, in seq order with no gaps, and a reconnect exactly what it missed', async () => {
    const seller = await user('live-seller')
    const bidders = await Promise.all(['ann', 'ben', 'cat'].map((n) => user(`live-${n}`)))
    const created = await http('/v1/listings', {
      method: 'POST',
      token: seller.token,
      json: { title: 'Signed print', category: 'art', format: 'auction', auction: { startingBid: usd(1000), endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
    })
    const { id } = (await created.json()) as { id: string }

    const stay = Array.from({ length: 4 }, () => new Watcher(id, 0))
    const leaver = new Watcher(id, 0)
    watchers.push(...stay, leaver)
    await Promise.all([...stay, leaver].map((w) => w.opened))
    expect(await stay[0]?.ping()).toBe('pong')

    let amount = 1000
    const bid = async (i: number) => {
      amount += 500
      const res = await http(`/v1/listings/${id}/bids`, { method: 'POST', token: bidders[i % 3]?.token ?? '', json: { maxAmount: usd(amount) } })
      expect(res.status).toBe(201)
    }
    for (let i = 0; i < 15; i++) await bid(i)
    const midway = ((await (await http(`/v1/listings/${id}`)).json()) as { version: number }).version
    await leaver.waitFor(midway)
    await leaver.close()

    for (let i = 15; i < 30; i++) await bid(i)
    const missedFrom = leaver.lastSeq
    const back = new Watcher(id, missedFrom)
    watchers.push(back)
    await back.opened
    for (let i = 30; i < 35; i++) await bid(i)

    const final = ((await (await http(`/v1/listings/${id}`)).json()) as { version: number }).version
    await Promise.all([...stay, back].map((w) => w.waitFor(final)))
    const expected = Array.from({ length: final }, (_, i) => i + 1)
    for (const w of stay) expect(w.messages.map((m) => m.seq)).toEqual(expected)
    expect(back.messages.map((m) => m.seq)).toEqual(expected.slice(missedFrom))
    expect(stay[0]?.messages.filter((m) => m.type === 'bid.placed')).toHaveLength(35)
    const seen = JSON.stringify(stay[0]?.messages)
    for (const b of bidders) expect(seen).not.toContain(b.id)
    expect(seen).not.toContain('maxAmount')
  })
})
