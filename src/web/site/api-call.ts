import type { Context } from 'hono'
import type { AppEnv } from '../../env'
import { currentTraceparent } from '../../platform/tracing'
import { sessionTokenOf } from '../web-session'

/**
 * The pages' way to the JSON API: a request to the Worker's own `/v1` app, in-process (no network),
 * carrying the page session's token as `Authorization: Bearer`. Validation, idempotency, risk,
 * rate limits and audit are therefore exactly the API's. A problem comes back as a value, so a
 * page can show its `detail` to the person ("Your card was declined").
 */

/** An RFC 9457 problem as the API sends it. */
export type ApiProblem = {
  type?: string
  title: string
  status: number
  code: string
  detail?: string
  errors?: { path: string; message: string }[]
}

export type ApiResult<T> = { ok: true; status: number; body: T; headers: Headers } | { ok: false; status: number; problem: ApiProblem; headers: Headers }

export type ApiCallOptions = {
  /** A JSON body. */
  json?: unknown
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, string | number | undefined>
  /** A raw body (e.g. an image's bytes), with its `content-type` in `headers`; ignored when `json` is given. */
  body?: ArrayBuffer | Uint8Array | string
  /** Sent as `Idempotency-Key`. */
  idempotencyKey?: string
  /** More request headers (e.g. `X-MFA-Code` for a step-up). */
  headers?: Record<string, string>
}

/** What the page request passes on to the API request: who is calling from where. */
const forwarded = ['cf-connecting-ip', 'user-agent', 'x-device-id', 'accept-language']

/** `callApi(c, 'GET', '/listings/lst_…')`: the path is under `/v1`. */
export async function callApi<T>(c: Context<AppEnv>, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: ApiCallOptions = {}): Promise<ApiResult<T>> {
  const app = c.var.selfApp
  if (!app) throw new Error('callApi needs the site middleware, which sets selfApp')
  const url = new URL(`/v1${path}`, c.req.url)
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v))
  const headers = new Headers({ accept: 'application/json' })
  for (const name of forwarded) {
    const value = c.req.header(name)
    if (value !== undefined) headers.set(name, value)
  }
  // The API request is a child of the page's span (not a sibling under the browser's traceparent).
  const traceparent = currentTraceparent()
  if (traceparent) headers.set('traceparent', traceparent)
  const token = sessionTokenOf(c)
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
  if (options.idempotencyKey !== undefined) headers.set('idempotency-key', options.idempotencyKey)
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v)
  let body: ArrayBuffer | Uint8Array | string | undefined = options.body
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(options.json)
  }
  // `cf` carries the country the risk engine reads; a test's request has none.
  const cf = (c.req.raw as Request & { cf?: unknown }).cf
  const init: RequestInit = { method, headers, body, ...(cf ? { cf } : {}) }
  const request = new Request(url, init)
  const res = await app(request)
  const text = await res.text()
  const parsed: unknown = text === '' ? null : safeJson(text)
  if (res.ok) return { ok: true, status: res.status, body: parsed as T, headers: res.headers }
  return { ok: false, status: res.status, problem: problemOf(parsed, res.status), headers: res.headers }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function problemOf(value: unknown, status: number): ApiProblem {
  if (typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'string') {
    const v = value as Partial<ApiProblem>
    return { type: v.type, title: typeof v.title === 'string' ? v.title : value.code, status, code: value.code, detail: typeof v.detail === 'string' ? v.detail : undefined, errors: Array.isArray(v.errors) ? v.errors : undefined }
  }
  return { title: 'Unexpected answer', status, code: 'unexpected', detail: `The API answered ${status}.` }
}

/** A problem in words for a person: its detail (or title), and each bad field. */
export function problemText(p: ApiProblem): string {
  const fields = (p.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ')
  const main = p.detail ?? p.title
  return fields ? `${main} (${fields})` : main
}
