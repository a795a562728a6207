import { createMiddleware } from 'hono/factory'
import { API_VERSIONS, CURRENT_API_VERSION, resolveApiVersion } from '../core/api-versions'
import type { AppEnv } from '../env'
import { Problem } from './problem'
import { setResponseHeaders } from './response-headers'

/** `Souk-Version`: the dated API version a request pins and a response was shaped by (docs/CHANGELOG.md). */
export const VERSION_HEADER = 'Souk-Version'

/**
 * Resolves the request's `Souk-Version` before anything else that could answer or write (auth, rate
 * limits, idempotency, routes), puts it on `c.var.version` for handlers that shape by version, and
 * names it in the response's `Souk-Version` — errors and 404s included. A value that is not a
 * version is `400 unknown_version`, answered in (and naming) the current version.
 */
export const apiVersion = () =>
  createMiddleware<AppEnv>(async function apiVersion(c, next) {
    const resolved = resolveApiVersion(c.req.header(VERSION_HEADER))
    if (!resolved.ok) {
      throw new Problem(400, 'unknown_version', `${VERSION_HEADER} must be one of ${API_VERSIONS.join(', ')}, or absent for the current version`, {
        extra: { versions: API_VERSIONS },
        headers: { [VERSION_HEADER]: CURRENT_API_VERSION },
      })
    }
    c.set('version', resolved.version)
    await next()
    setResponseHeaders(c, { [VERSION_HEADER]: resolved.version })
  })

/** The request header, for the OpenAPI document's parameters. */
export const versionParameter = {
  name: VERSION_HEADER,
  in: 'header',
  required: false,
  description: `Pins the API version, a date from the changelog. Absent: the current one, ${CURRENT_API_VERSION}. A date that is not a version is \`400 unknown_version\`.`,
  schema: { type: 'string' as const, enum: [...API_VERSIONS] },
}

/** The response header, for the OpenAPI document's responses. */
export const versionResponseHeader = {
  description: 'The API version that shaped this response',
  schema: { type: 'string' as const, enum: [...API_VERSIONS] },
}
