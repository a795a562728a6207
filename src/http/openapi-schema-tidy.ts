/**
 * Writes two shapes the zod generator emits the way OpenAPI 3.1 says them plainly, which is also
 * the way strict readers (Scalar's document validation among them) accept:
 * - a described reference, `allOf: [{ $ref }, { description }]`, becomes `{ $ref, description }`
 *   (3.1 allows a `$ref` beside other keywords);
 * - `additionalProperties: {}` (a record of unknown values) becomes `additionalProperties: true`;
 * - a union of bare types, `anyOf: [{ type: 'string' }, { type: 'null' }]`, becomes
 *   `type: ['string', 'null']`.
 * None changes what a schema accepts. Mutates `node` in place.
 *
 * @example
 * const doc = { minimumBid: { allOf: [{ $ref: '#/components/schemas/Money' }, { description: 'Lowest' }] } }
 * tidySchemas(doc) // doc.minimumBid is { $ref: '#/components/schemas/Money', description: 'Lowest' }
 */
export function tidySchemas(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) tidySchemas(item)
    return
  }
  if (!isRecord(node)) return
  const described = describedReference(node.allOf)
  if (described && Object.keys(node).length === 1) {
    delete node.allOf
    Object.assign(node, described)
  }
  if (isRecord(node.additionalProperties) && Object.keys(node.additionalProperties).length === 0) node.additionalProperties = true
  const types = bareTypes(node.anyOf)
  if (types) {
    delete node.anyOf
    node.type = types
  }
  for (const [key, value] of Object.entries(node)) {
    // Example values are data, not schemas.
    if (key !== 'example' && key !== 'examples') tidySchemas(value)
  }
}

/** Keywords that annotate a schema without constraining it. */
const annotations = new Set(['description', 'title', 'deprecated', 'readOnly', 'writeOnly'])

function describedReference(allOf: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(allOf) || allOf.length !== 2) return undefined
  const [ref, notes] = allOf as unknown[]
  if (!isRecord(ref) || typeof ref.$ref !== 'string' || Object.keys(ref).length !== 1) return undefined
  if (!isRecord(notes) || !Object.keys(notes).every((k) => annotations.has(k))) return undefined
  return { $ref: ref.$ref, ...notes }
}

/** The types of an `anyOf` whose every member is only `{ type: <one type> }`. */
function bareTypes(anyOf: unknown): string[] | undefined {
  if (!Array.isArray(anyOf) || anyOf.length < 2) return undefined
  const types = anyOf.map((m) => (isRecord(m) && Object.keys(m).length === 1 && typeof m.type === 'string' ? m.type : undefined))
  return types.every((t): t is string => t !== undefined) ? types : undefined
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
