import { describe, expect, it } from 'vitest'
import { CLOUDFLARE_DOH, dohResolver } from '../../../src/platform/doh-resolver'
import { outboundHostProblem, type HostProblem } from '../../../src/webhook-endpoints/outbound-host'

const reasonOf = (p: HostProblem | null) => p?.reason ?? null

type Doh = { Status: number; Answer?: { name: string; type: number; TTL: number; data: string }[] }
type Reply = Doh | ((url: URL, init: RequestInit) => Promise<Response>)

/** A DoH server in a function: answers each (name, type) from the table, and keeps every request. */
function fakeDoh(table: Record<string, Reply>) {
  const requests: { url: URL; init: RequestInit }[] = []
  const fetch = async (raw: string, init: RequestInit): Promise<Response> => {
    const url = new URL(raw)
    requests.push({ url, init })
    const reply = table[`${url.searchParams.get('name')} ${url.searchParams.get('type')}`] ?? { Status: 0 }
    if (typeof reply === 'function') return reply(url, init)
    return new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/dns-json' } })
  }
  return { fetch, requests }
}

const A = (data: string, TTL = 300) => ({ Status: 0, Answer: [{ name: 'hooks.example.com', type: 1, TTL, data }] })
const AAAA = (data: string, TTL = 300) => ({ Status: 0, Answer: [{ name: 'hooks.example.com', type: 28, TTL, data }] })
const HOST = 'hooks.example.com'
const URL_ = `https://${HOST}/souk`

describe('dohResolver', () => {
  it('asks Cloudflare for A and AAAA in JSON, each under its own timeout', async () => {
    const doh = fakeDoh({ [`${HOST} A`]: A('93.184.216.34') })
    const lookup = await dohResolver({ fetch: doh.fetch })(HOST)
    expect(lookup).toEqual({ ok: true, answers: [{ status: 0, records: [{ name: HOST, type: 1, ttl: 300, data: '93.184.216.34' }] }, { status: 0, records: [] }] })
    expect(doh.requests.map((r) => `${r.url.origin}${r.url.pathname} ${r.url.searchParams.get('name')} ${r.url.searchParams.get('type')}`).sort()).toEqual([
      `${CLOUDFLARE_DOH} ${HOST} A`,
      `${CLOUDFLARE_DOH} ${HOST} AAAA`,
    ])
    for (const { init } of doh.requests) {
      expect(new Headers(init.headers).get('accept')).toBe('application/dns-json')
      expect(init.signal).toBeInstanceOf(AbortSignal)
    }
  })

  /** [why, the DoH server's table, what the guard says] */
  const cases: [string, Record<string, Reply>, string | null][] = [
    ['a public A', { [`${HOST} A`]: A('93.184.216.34') }, null],
    ['a public AAAA', { [`${HOST} AAAA`]: AAAA('2606:4700::1111') }, null],
    ['a private A', { [`${HOST} A`]: A('10.0.0.5') }, 'host resolves to a private address'],
    ['AAAA ::1', { [`${HOST} A`]: A('93.184.216.34'), [`${HOST} AAAA`]: AAAA('::1') }, 'host resolves to a private address'],
    [
      'public and private A mixed',
      { [`${HOST} A`]: { Status: 0, Answer: [{ name: HOST, type: 1, TTL: 60, data: '93.184.216.34' }, { name: HOST, type: 1, TTL: 60, data: '192.168.0.2' }] } },
      'host resolves to a private address',
    ],
    ['NXDOMAIN', { [`${HOST} A`]: { Status: 3 }, [`${HOST} AAAA`]: { Status: 3 } }, 'host does not exist'],
    ['SERVFAIL on AAAA alone', { [`${HOST} A`]: A('93.184.216.34'), [`${HOST} AAAA`]: { Status: 2 } }, 'host could not be resolved (DNS status 2)'],
    ['no address', {}, 'host has no address'],
    ['an answer that is not JSON', { [`${HOST} A`]: () => Promise.resolve(new Response('<html>oops</html>')) }, 'host could not be resolved (resolver answer is not JSON)'],
    ['JSON of the wrong shape', { [`${HOST} A`]: () => Promise.resolve(Response.json({ Status: 'fine', Answer: 'yes' })) }, 'host could not be resolved (resolver answer malformed)'],
    ['a record without its TTL', { [`${HOST} A`]: () => Promise.resolve(Response.json({ Status: 0, Answer: [{ name: HOST, type: 1, data: '93.184.216.34' }] })) }, 'host could not be resolved (resolver answer malformed)'],
    ['the resolver answered 503', { [`${HOST} AAAA`]: () => Promise.resolve(new Response('busy', { status: 503 })) }, 'host could not be resolved (resolver answered 503)'],
    [
      'a network error',
      {
        [`${HOST} A`]: () => Promise.reject(new TypeError('Network connection lost.')),
      },
      'host could not be resolved (resolver unreachable)',
    ],
  ]

  it.each(cases)('%s', async (_why, table, expected) => {
    expect(reasonOf(await outboundHostProblem(URL_, dohResolver({ fetch: fakeDoh(table).fetch })))).toBe(expected)
  })

  it('gives up at its timeout and says so, instead of throwing', async () => {
    // A resolver that never answers: only the timeout's abort ends the request.
    const hang = (_url: URL, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason instanceof Error ? init.signal.reason : new Error('aborted'))))
    const resolve = dohResolver({ fetch: fakeDoh({ [`${HOST} A`]: hang }).fetch, timeoutMs: 10 })
    expect(await resolve(HOST)).toEqual({ ok: false, error: 'resolver timed out' })
  })

  it('keeps an answer for its TTL, at most maxCacheSeconds, and asks again after', async () => {
    let now = 1_000_000
    const doh = fakeDoh({ [`${HOST} A`]: A('93.184.216.34', 3600) })
    const resolve = dohResolver({ fetch: doh.fetch, maxCacheSeconds: 60, now: () => now })
    await resolve(HOST)
    now += 59_000
    await resolve(HOST)
    expect(doh.requests).toHaveLength(2)
    now += 1_000
    await resolve(HOST)
    expect(doh.requests).toHaveLength(4)
  })

  it('keeps an answer no longer than its shortest TTL, and never keeps a failure', async () => {
    let now = 0
    let failing = true
    const doh = fakeDoh({
      [`${HOST} A`]: () => Promise.resolve(failing ? new Response('busy', { status: 502 }) : Response.json(A('93.184.216.34', 5))),
    })
    const resolve = dohResolver({ fetch: doh.fetch, now: () => now })
    expect(await resolve(HOST)).toMatchObject({ ok: false })
    failing = false
    expect(await resolve(HOST)).toMatchObject({ ok: true })
    now += 4_999
    await resolve(HOST)
    expect(doh.requests).toHaveLength(4)
    now += 1
    await resolve(HOST)
    expect(doh.requests).toHaveLength(6)
  })
})
