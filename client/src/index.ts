import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import type { components, paths } from './schema'

export type { components, operations, paths, webhooks } from './schema'

/** The Souk API's named schemas (`Schemas['Problem']`, …), as its OpenAPI document declares them. */
export type Schemas = components['schemas']

/** A client whose paths, parameters, bodies and answers are typed by Souk's OpenAPI document. */
export type SoukClient = Client<paths>

export type SoukClientOptions = {
  /** A session token (`st_…`) from login or an API key (`sk_…`), sent as `Authorization: Bearer …`. */
  token?: string
  /** Headers for every request (`Souk-Version`, …). */
  headers?: Record<string, string>
  /** Another `fetch` (a test double, a worker's service binding). */
  fetch?: ClientOptions['fetch']
}

/**
 * A typed Souk client built on openapi-fetch: JSON bodies in and out, the bearer token on every
 * request, and `{ data, error, response }` back, with `data` typed by the operation's success
 * answer and `error` by its problem answers.
 *
 * @example
 * const souk = createSoukClient('https://souk.example', { token })
 * const { data, error } = await souk.GET('/v1/me')
 * if (data) console.log(data.email)
 */
export function createSoukClient(baseUrl: string, { token, headers = {}, fetch }: SoukClientOptions = {}): SoukClient {
  return createClient<paths>({
    baseUrl,
    fetch,
    headers: { accept: 'application/json', ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  })
}
