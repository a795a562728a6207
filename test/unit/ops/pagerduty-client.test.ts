import { describe, expect, it } from 'vitest'
import type { Alert } from '../../../src/ops/burn-rate-alerts'
import { pagerDuty } from '../../../src/ops/pagerduty-client'
import { scriptedFetch } from '../../support/fake-fetch'

const alert: Alert = { dedupKey: 'checkout_availability:fast_burn', objective: 'checkout_availability', rule: 'fast_burn', severity: 'critical', openedAt: '2026-12-05T10:00:00.000Z', resolvedAt: null, summary: 'checkout_availability: error budget burning at 20.0× (fast burn)' }
const client = (f: ReturnType<typeof scriptedFetch>) => pagerDuty({ apiBase: 'https://events.pagerduty.test', routingKey: 'R0UT1NGKEY', source: 'souk', fetch: f.fn })

describe('pagerDuty (Events API v2)', () => {
  it('triggers with the alert’s dedup key, severity and summary, and resolves under the same key', async () => {
    const f = scriptedFetch(new Response('{"status":"success"}', { status: 202 }), new Response('{"status":"success"}', { status: 202 }))
    expect(await client(f).send({ kind: 'trigger', alert })).toEqual({ ok: true })
    expect(await client(f).send({ kind: 'resolve', alert: { ...alert, resolvedAt: '2026-12-05T10:30:00.000Z' } })).toEqual({ ok: true })
    expect(f.calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', 'https://events.pagerduty.test/v2/enqueue'],
      ['POST', 'https://events.pagerduty.test/v2/enqueue'],
    ])
    expect(JSON.parse(f.calls[0]!.body)).toEqual({
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'checkout_availability:fast_burn',
      payload: { summary: alert.summary, source: 'souk', severity: 'critical', timestamp: alert.openedAt, custom_details: { objective: 'checkout_availability', rule: 'fast_burn' } },
    })
    expect(JSON.parse(f.calls[1]!.body)).toEqual({ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'checkout_availability:fast_burn' })
  })

  it('asks to be retried after a 429, a 5xx or a network failure, and not after a 400', async () => {
    const f = scriptedFetch(new Response('slow down', { status: 429 }), new Response('oops', { status: 503 }), new Error('connection reset'), new Response('{"message":"Invalid routing key"}', { status: 400 }))
    const pd = client(f)
    expect(await pd.send({ kind: 'trigger', alert })).toMatchObject({ ok: false, retry: true, status: 429 })
    expect(await pd.send({ kind: 'trigger', alert })).toMatchObject({ ok: false, retry: true, status: 503 })
    expect(await pd.send({ kind: 'trigger', alert })).toMatchObject({ ok: false, retry: true, status: 0, detail: 'connection reset' })
    expect(await pd.send({ kind: 'trigger', alert })).toMatchObject({ ok: false, retry: false, status: 400, detail: expect.stringContaining('Invalid routing key') })
  })
})
