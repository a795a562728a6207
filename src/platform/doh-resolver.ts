import { z } from 'zod'
import type { DnsAnswer } from '../webhook-endpoints/resolved-addresses'
import type { HostLookup, ResolveHost } from '../webhook-endpoints/outbound-host'

/**
 * Resolves host names over DNS over HTTPS (Cloudflare's JSON API), since a Worker cannot ask a
 * system resolver. A and AAAA are asked in parallel, each under a timeout. Every failure (timeout,
 * network, a non-200, an answer that is not the documented JSON) is a value, never a throw: the
 * caller refuses to connect now and tries again later. Answers are kept per isolate for their
 * TTL, at most `maxCacheSeconds`, so a batch to one host asks once.
 */
export const CLOUDFLARE_DOH = 'https://cloudflare-dns.com/dns-query'

export type DohOptions = {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  endpoint?: string
  timeoutMs?: number
  maxCacheSeconds?: number
  now?: () => number
}

const DohJson = z.object({
  Status: z.number().int().nonnegative(),
  Answer: z.array(z.object({ name: z.string(), type: z.number().int(), TTL: z.number().int().nonnegative(), data: z.string() })).optional(),
})

/** Enough for the hosts one isolate talks to; the whole cache is dropped when full rather than tracking use. */
const MAX_CACHED_HOSTS = 500

export function dohResolver({ fetch, endpoint = CLOUDFLARE_DOH, timeoutMs = 3000, maxCacheSeconds = 60, now = Date.now }: DohOptions): ResolveHost {
  const cache = new Map<string, { lookup: HostLookup; expiresAt: number }>()

  async function query(host: string, type: 'A' | 'AAAA'): Promise<{ ok: true; answer: DnsAnswer } | { ok: false; error: string }> {
    const url = `${endpoint}?name=${encodeURIComponent(host)}&type=${type}`
    let body: unknown
    try {
      const res = await fetch(url, { headers: { accept: 'application/dns-json' }, signal: AbortSignal.timeout(timeoutMs) })
      if (res.status !== 200) {
        await res.body?.cancel()
        return { ok: false, error: `resolver answered ${res.status}` }
      }
      body = await res.json()
    } catch (err) {
      // Only the call and reading its body are in here: whatever they throw means no answer to trust.
      if (err instanceof Error && err.name === 'TimeoutError') return { ok: false, error: 'resolver timed out' }
      if (err instanceof SyntaxError) return { ok: false, error: 'resolver answer is not JSON' }
      return { ok: false, error: 'resolver unreachable' }
    }
    const parsed = DohJson.safeParse(body)
    if (!parsed.success) return { ok: false, error: 'resolver answer malformed' }
    const records = (parsed.data.Answer ?? []).map((r) => ({ name: r.name, type: r.type, ttl: r.TTL, data: r.data }))
    return { ok: true, answer: { status: parsed.data.Status, records } }
  }

  return async function resolveHost(host) {
    const cached = cache.get(host)
    if (cached && cached.expiresAt > now()) return cached.lookup
    const [a, aaaa] = await Promise.all([query(host, 'A'), query(host, 'AAAA')])
    if (!a.ok) return a
    if (!aaaa.ok) return aaaa
    const lookup: HostLookup = { ok: true, answers: [a.answer, aaaa.answer] }
    // Failures and empty answers are not kept: the next attempt asks again.
    const records = [...a.answer.records, ...aaaa.answer.records]
    const ttl = Math.min(maxCacheSeconds, ...records.map((r) => r.ttl))
    if (records.length > 0 && ttl > 0) {
      if (cache.size >= MAX_CACHED_HOSTS) cache.clear()
      cache.set(host, { lookup, expiresAt: now() + ttl * 1000 })
    }
    return lookup
  }
}

/** The resolver production uses: one per isolate, so its cache serves every batch the isolate consumes. */
export const cloudflareDoh: ResolveHost = dohResolver({ fetch: (url, init) => fetch(url, init) })
