import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { settingsOf } from '../../../src/config'
import { BASE, json } from '../support/api'
import { createAuction } from './fixtures'

/**
 * Review finding 8 (issue 13): one address opened 150 anonymous sockets on one listing, each
 * metered only by the read quota. An address holds at most LIVE_SOCKETS_PER_IP open sockets on a
 * listing; the next is 429 until one closes. Other addresses are not affected.
 */
/** A small cap for this test (the suite's own is high, for its fan-out tests' watchers). */
const CAP = 5
const capped = { ...env, LIVE_SOCKETS_PER_IP: String(CAP) }

async function watch(listingId: string, ip: string): Promise<Response> {
  const request = new Request(`${BASE}/v1/listings/${listingId}/live`, { headers: { upgrade: 'websocket', 'cf-connecting-ip': ip } })
  const res = await worker.fetch(request, capped, createExecutionContext())
  res.webSocket?.accept()
  return res
}

describe('live sockets per address', () => {
  it('admits LIVE_SOCKETS_PER_IP sockets from one address on a listing, refuses the next with 429, and admits again once one closes', async () => {
    expect(settingsOf(capped).liveSocketsPerIp).toBe(CAP)
    const { id } = await createAuction()
    const open: WebSocket[] = []
    for (let i = 0; i < CAP; i++) {
      const res = await watch(id, '198.51.100.20')
      expect(res.status, `socket ${i + 1}`).toBe(101)
      open.push(res.webSocket as WebSocket)
    }
    const over = await watch(id, '198.51.100.20')
    expect(over.status).toBe(429)
    expect(await json(over)).toMatchObject({ code: 'rate_limited' })
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

    const elsewhere = await watch(id, '203.0.113.9')
    expect(elsewhere.status).toBe(101)
    elsewhere.webSocket?.close(1000)

    open.pop()?.close(1000)
    await expect.poll(async () => (await watch(id, '198.51.100.20')).status, { timeout: 5_000 }).toBe(101)
    for (const ws of open) ws.close(1000)
  })
})
