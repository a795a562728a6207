import { describe, expect, it } from 'vitest'
import { analyticsEngine, rollupSql } from '../../../src/ops/analytics-engine-client'
import { bucketOf, histogramSize } from '../../../src/ops/metrics'
import { scriptedFetch } from '../../support/fake-fetch'

const FROM = Date.UTC(2026, 2, 16, 10, 0, 30) // rounded down to 10:00
const TO = Date.UTC(2026, 2, 16, 11, 0, 0)
const client = (fetch: typeof globalThis.fetch, over: Partial<Parameters<typeof analyticsEngine>[0]> = {}) =>
  analyticsEngine({ apiBase: 'https://api.cloudflare.test', accountId: 'acc123', apiToken: 'tok-secret', dataset: 'souk_metrics', fetch, ...over })
const answer = (data: unknown[]) => new Response(JSON.stringify({ meta: [], data, rows: data.length }), { status: 200 })

describe('the Analytics Engine SQL client', () => {
  it('POSTs the SQL text with the bearer token to the account’s SQL API, grouped by minute, kind, name and bucket and weighted by the sample interval', async () => {
    const f = scriptedFetch(answer([]))
    await client(f.fn).rollups({ from: FROM, to: TO, kinds: ['route'], names: ['POST /v1/listings/:id/bids', 'GET /v1/listings/{id}'] })
    expect(f.calls).toHaveLength(1)
    const [call] = f.calls
    expect(call!.method).toBe('POST')
    expect(call!.url).toBe('https://api.cloudflare.test/client/v4/accounts/acc123/analytics_engine/sql')
    expect(call!.headers.get('authorization')).toBe('Bearer tok-secret')
    const sql = call!.body
    expect(sql).toContain('intDiv(toUInt32(timestamp), 60) * 60 AS t')
    expect(sql).toContain('SUM(_sample_interval) AS n')
    expect(sql).toContain('SUM(_sample_interval * double2) AS errors')
    expect(sql).toContain('FROM souk_metrics')
    expect(sql).toContain(`timestamp >= toDateTime(${Date.UTC(2026, 2, 16, 10, 0, 0) / 1000})`)
    expect(sql).toContain(`timestamp < toDateTime(${TO / 1000})`)
    expect(sql).toContain("blob1 IN ('route')")
    expect(sql).toContain("blob2 IN ('POST /v1/listings/:id/bids', 'GET /v1/listings/{id}')")
    expect(sql).toContain('GROUP BY t, kind, name, bucket')
    expect(sql.trim().endsWith('FORMAT JSON')).toBe(true)
  })

  it('groups by a coarser step when asked', () => {
    expect(rollupSql('souk_metrics', { from: FROM, to: TO, stepMs: 300_000 })).toContain('intDiv(toUInt32(timestamp), 300) * 300 AS t')
  })

  it('refuses names that could break out of the SQL, kinds not in the list and a bad dataset, before sending anything', async () => {
    const f = scriptedFetch()
    await expect(client(f.fn).rollups({ from: FROM, to: TO, names: ["x' OR 1=1 --"] })).rejects.toThrow(/refusing metric name/)
    await expect(client(f.fn).rollups({ from: FROM, to: TO, names: ['a\\'] })).rejects.toThrow(/refusing metric name/)
    await expect(client(f.fn).rollups({ from: FROM, to: TO, kinds: ['route; DROP' as 'route'] })).rejects.toThrow(/refusing kind/)
    await expect(client(f.fn, { dataset: 'souk; DROP' }).rollups({ from: FROM, to: TO })).rejects.toThrow(/refusing dataset/)
    expect(f.calls).toHaveLength(0)
  })

  it('rebuilds rollups and histograms from the rows, numbers quoted or not', async () => {
    const t = Date.UTC(2026, 2, 16, 10, 5) / 1000
    const f = scriptedFetch(
      answer([
        { t, kind: 'route', name: 'GET /v1/me', bucket: bucketOf(3), n: '10', errors: 0 },
        { t, kind: 'route', name: 'GET /v1/me', bucket: String(bucketOf(400)), n: 2, errors: '2' },
        { t: t + 60, kind: 'route', name: 'GET /v1/me', bucket: 16, n: 1, errors: 0 },
        { t, kind: 'outcome', name: 'webhook.delivery', bucket: 5, n: 4, errors: 1 },
      ]),
    )
    const got = await client(f.fn).rollups({ from: FROM, to: TO })
    expect(got.map((r) => [r.minute, r.kind, r.name, r.total, r.errors])).toEqual([
      [t * 1000, 'route', 'GET /v1/me', 12, 2],
      [t * 1000, 'outcome', 'webhook.delivery', 4, 1],
      [(t + 60) * 1000, 'route', 'GET /v1/me', 1, 0],
    ])
    const me = got[0]!
    expect(me.histogram).toHaveLength(histogramSize)
    expect(me.histogram[bucketOf(3)]).toBe(10)
    expect(me.histogram[bucketOf(400)]).toBe(2)
    expect(got[2]!.histogram[histogramSize - 1]).toBe(1)
  })

  it('says what went wrong: not configured, unreachable, an error status, an answer that is not JSON or has no data', async () => {
    await expect(client(scriptedFetch().fn, { apiToken: '' }).rollups({ from: FROM, to: TO })).rejects.toThrow(/ANALYTICS_API_TOKEN/)
    await expect(client(scriptedFetch(new Error('connect ECONNREFUSED')).fn).rollups({ from: FROM, to: TO })).rejects.toThrow(/could not be reached: connect ECONNREFUSED/)
    await expect(client(scriptedFetch(new Response('{"errors":[{"message":"Authentication error"}]}', { status: 403 })).fn).rollups({ from: FROM, to: TO })).rejects.toThrow(/answered 403: .*Authentication error/)
    await expect(client(scriptedFetch(new Response('Code: 62. Syntax error', { status: 200 })).fn).rollups({ from: FROM, to: TO })).rejects.toThrow(/not JSON/)
    await expect(client(scriptedFetch(new Response('{"meta":[]}', { status: 200 })).fn).rollups({ from: FROM, to: TO })).rejects.toThrow(/no data array/)
    await expect(client(scriptedFetch(answer([{ t: 'soon', kind: 'route', name: 'x', bucket: 0, n: 1, errors: 0 }])).fn).rollups({ from: FROM, to: TO })).rejects.toThrow(/t is not a number/)
  })
})
