import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { alertsStub, type AlertsObject } from '../../../src/ops/alerts-object'

/** An Events API v2 event as PagerDuty receives it. */
export type PagerEvent = {
  routing_key: string
  event_action: 'trigger' | 'resolve'
  dedup_key: string
  payload?: { summary: string; source: string; severity: string; timestamp: string; custom_details: { objective: string; rule: string } }
}

export const PAGER_BASE = 'https://events.pagerduty.test'
export const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000000'

/**
 * A fake PagerDuty Events API v2: a fetch that takes POST /v2/enqueue as PagerDuty does (202),
 * keeps every event it took, and answers `refuse(...)`'s responses first when given (what it
 * refused it did not take).
 */
export function fakePagerDuty() {
  const events: PagerEvent[] = []
  const refusals: Response[] = []
  const receive = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    const url = new URL(req.url)
    if (url.origin !== PAGER_BASE || url.pathname !== '/v2/enqueue' || req.method !== 'POST') return new Response('not found', { status: 404 })
    const event = await req.json<PagerEvent>()
    const refusal = refusals.shift()
    if (refusal) return refusal
    if (event.routing_key !== ROUTING_KEY) return Response.json({ status: 'invalid event', message: 'Event object is invalid' }, { status: 400 })
    events.push(event)
    return Response.json({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }, { status: 202 })
  }) as typeof fetch
  return {
    fetch: receive,
    events,
    /** The (action, dedup key) of each event taken, in order. */
    log: () => events.map((e) => `${e.event_action} ${e.dedup_key}`),
    refuse: (...responses: Response[]) => void refusals.push(...responses),
  }
}

export type FakePagerDuty = ReturnType<typeof fakePagerDuty>

/**
 * Points the alerts object at `pager` (null: PagerDuty not configured) and at `clock` for its
 * evaluations and alarm. Both are instance seams of the object (its `pager` and `now`), set inside
 * it: the object runs in this test's isolate, so the fake is called as its fetch. Its alerts and
 * unsent pages are cleared, so each test starts from none.
 */
export async function driveAlerts(pager: FakePagerDuty | null, clock: () => number): Promise<DurableObjectStub<AlertsObject>> {
  const stub = alertsStub(env)
  await runInDurableObject(stub, (o: AlertsObject, state) => {
    o.now = clock
    o.pager = () => (pager ? { apiBase: PAGER_BASE, routingKey: ROUTING_KEY, source: 'souk-test', fetch: pager.fetch } : null)
    state.storage.sql.exec('DELETE FROM alerts')
    state.storage.sql.exec('DELETE FROM pager_sends')
  })
  return stub
}
