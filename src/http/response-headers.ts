import type { Context } from 'hono'

/**
 * Sets headers on the response a middleware got back from `next()`. A response that came from
 * `fetch` or another binding has immutable headers, so it is copied first.
 */
export function setResponseHeaders(c: Context, headers: Record<string, string>): void {
  const entries = Object.entries(headers)
  // A WebSocket upgrade (101) belongs to the socket; copying it would lose the socket.
  if (entries.length === 0 || c.res.status === 101) return
  try {
    for (const [name, value] of entries) c.res.headers.set(name, value)
  } catch (err) {
    if (!(err instanceof TypeError)) throw err // only "immutable headers" is expected here
    const copy = new Response(c.res.body, c.res)
    for (const [name, value] of entries) copy.headers.set(name, value)
    c.res = copy
  }
}
