/**
 * A stable camelCase `operationId` from an operation's method and path, without the `/v1` prefix:
 * words of a literal segment are capitalized, a `{param}` becomes `By<Param>`.
 *
 * @example
 * operationIdOf('get', '/v1/listings/{id}/bids') // 'getListingsByIdBids'
 * operationIdOf('post', '/v1/me/payouts') // 'postMePayouts'
 */
export function operationIdOf(method: string, path: string): string {
  const segments = path.replace(/^\/v1(?=\/|$)/, '').split('/').filter(Boolean)
  const words = segments.map((segment) => {
    const param = /^\{(.+)\}$/.exec(segment)
    return param ? `By${pascal(param[1] ?? '')}` : pascal(segment)
  })
  return `${method.toLowerCase()}${words.join('')}`
}

const pascal = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')

type Operations = Record<string, Record<string, { operationId?: string }>>

/** The keys of a path item that are operations (the rest, e.g. `parameters`, are not). */
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/**
 * Gives every operation of `paths` that has none its derived `operationId`; a route's own wins.
 * Throws when two operations would share one, so a clash shows when the document is built.
 */
export function withOperationIds(paths: object): void {
  const seen = new Map<string, string>()
  for (const [path, item] of Object.entries(paths as Operations)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue
      op.operationId ??= operationIdOf(method, path)
      const where = `${method.toUpperCase()} ${path}`
      const earlier = seen.get(op.operationId)
      if (earlier) throw new Error(`${where} and ${earlier} share the operationId ${op.operationId}`)
      seen.set(op.operationId, where)
    }
  }
}
