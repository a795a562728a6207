import { inject } from 'vitest'

/** A tiny HTTP client for the end-to-end tests: real sockets to the worker started by global setup. */
export const baseUrl = (): string => inject('baseUrl')

export type Json = Record<string, unknown>

export type HttpInit = { method?: string; token?: string; json?: unknown; headers?: Record<string, string>; body?: RequestInit['body'] }

export function http(path: string, init: HttpInit = {}): Promise<Response> {
  return httpAt(baseUrl(), path, init)
}

/** The same, to a Souk a test started itself (`startLocalSouk`), at `base`. */
export async function httpAt(base: string, path: string, init: HttpInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  let body = init.body
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(init.json)
  }
  return fetch(`${base}${path}`, { method: init.method ?? 'GET', headers, body })
}

export const email = (label: string): string => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
export const PASSWORD = 'correct horse battery staple'

/** Polls `read` until `check` holds (queues and alarms run on their own time), or fails after `ms`. */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
