import { describe, expect, it } from 'vitest'
import { outboundHostProblem, type HostLookup, type HostProblem, type ResolveHost } from '../../../src/webhook-endpoints/outbound-host'

const reasonOf = (p: HostProblem | null) => p?.reason ?? null

/** A resolver that answers from a table and remembers what it was asked. */
function fakeResolver(table: Record<string, HostLookup>): ResolveHost & { asked: string[] } {
  const asked: string[] = []
  const resolve = (host: string): Promise<HostLookup> => {
    asked.push(host)
    return Promise.resolve(table[host] ?? { ok: true, answers: [{ status: 3, records: [] }] })
  }
  return Object.assign(resolve, { asked })
}

const resolvesTo = (address: string): HostLookup => ({
  ok: true,
  answers: [{ status: 0, records: address.includes(':') ? [] : [{ name: 'x', type: 1, ttl: 60, data: address }] }, { status: 0, records: address.includes(':') ? [{ name: 'x', type: 28, ttl: 60, data: address }] : [] }],
})

describe('outboundHostProblem', () => {
  it('allows a name that resolves to public addresses only', async () => {
    const resolve = fakeResolver({ 'hooks.example.com': resolvesTo('93.184.216.34') })
    expect(reasonOf(await outboundHostProblem('https://hooks.example.com/souk', resolve))).toBeNull()
    expect(resolve.asked).toEqual(['hooks.example.com'])
  })

  it('refuses a public-looking name that resolves to a private address', async () => {
    const resolve = fakeResolver({ 'hooks.example.com': resolvesTo('10.0.0.5') })
    expect(reasonOf(await outboundHostProblem('https://hooks.example.com/souk', resolve))).toBe('host resolves to a private address')
  })

  it('asks for the name in lower case without its trailing dot', async () => {
    const resolve = fakeResolver({ 'hooks.example.com': resolvesTo('93.184.216.34') })
    expect(reasonOf(await outboundHostProblem('https://Hooks.EXAMPLE.com./souk', resolve))).toBeNull()
    expect(resolve.asked).toEqual(['hooks.example.com'])
  })

  it('tells the owner’s problem from the resolver’s', async () => {
    const resolve = fakeResolver({ 'private.example.com': resolvesTo('10.0.0.5'), 'down.example.com': { ok: false, error: 'resolver timed out' } })
    expect((await outboundHostProblem('https://private.example.com/', resolve))?.kind).toBe('refused')
    expect((await outboundHostProblem('https://nowhere.example.com/', resolve))?.kind).toBe('refused')
    expect((await outboundHostProblem('https://10.0.0.5/', resolve))?.kind).toBe('refused')
    expect((await outboundHostProblem('https://down.example.com/', resolve))?.kind).toBe('unresolved')
  })

  it('refuses when the resolver could not answer: fail closed', async () => {
    const resolve = fakeResolver({ 'hooks.example.com': { ok: false, error: 'resolver timed out' } })
    expect(reasonOf(await outboundHostProblem('https://hooks.example.com/souk', resolve))).toBe('host could not be resolved (resolver timed out)')
  })

  it('refuses a name that does not exist', async () => {
    expect(reasonOf(await outboundHostProblem('https://nowhere.example.com/', fakeResolver({})))).toBe('host does not exist')
  })

  it.each([
    ['https://93.184.216.34/hook', null],
    ['https://[2606:4700::1111]/hook', null],
    ['https://10.0.0.5/hook', 'host is a private address'],
    ['http://127.0.0.1:8787/hook', 'host is a private address'],
    ['https://[::1]/hook', 'host is a private address'],
    ['https://0xa9.0xfe.0xa9.0xfe/', 'host is a private address'],
  ])('judges the IP literal %s without a lookup', async (url, expected) => {
    const resolve = fakeResolver({})
    expect(reasonOf(await outboundHostProblem(url, resolve))).toBe(expected)
    expect(resolve.asked).toEqual([])
  })

  it('refuses what is not a URL with a host', async () => {
    expect(reasonOf(await outboundHostProblem('not a url', fakeResolver({})))).toBe('not an absolute URL')
    expect(reasonOf(await outboundHostProblem('mailto:ops@example.com', fakeResolver({})))).toBe('no host')
  })
})
