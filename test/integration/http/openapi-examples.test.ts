import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { call, json } from '../support/api'

type Node = Record<string, unknown>
type Doc = Node & { components: Node & { schemas: Record<string, Node> }; paths: Record<string, Record<string, Node>> }
/** An example found in the document: where it sits, the value, and the schema it must satisfy. */
type Found = { pointer: string; value: unknown; schema: Node }

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * Every example in `node`: `example` and `examples` beside a `schema` (parameters, headers, media
 * types), and `example` and `examples` (an array) on a schema itself. Example values are data, so
 * the walk does not descend into them; a key under `properties` names a property, not a keyword.
 */
function examplesIn(node: unknown, pointer: string, parentKey: string, found: Found[]): Found[] {
  if (Array.isArray(node)) node.forEach((v, i) => examplesIn(v, `${pointer}/${i}`, '', found))
  if (!isObject(node)) return found
  const named = parentKey === 'properties' || parentKey === 'patternProperties' || parentKey === '$defs'
  if (isObject(node.schema)) {
    if ('example' in node) found.push({ pointer: `${pointer}/example`, value: node.example, schema: node.schema })
    if (isObject(node.examples)) {
      for (const [name, ex] of Object.entries(node.examples)) {
        if (isObject(ex) && 'value' in ex) found.push({ pointer: `${pointer}/examples/${escape(name)}/value`, value: ex.value, schema: node.schema })
      }
    }
  } else if ('example' in node && !named) {
    found.push({ pointer: `${pointer}/example`, value: node.example, schema: node })
  }
  if (!isObject(node.schema) && Array.isArray(node.examples) && !named) {
    node.examples.forEach((value, i) => found.push({ pointer: `${pointer}/examples/${i}`, value, schema: node }))
  }
  for (const [key, value] of Object.entries(node)) {
    if (!named && (key === 'example' || key === 'examples')) continue
    examplesIn(value, `${pointer}/${escape(key)}`, named ? '' : key, found)
  }
  return found
}

/** Checks each example against its schema, `#/components/...` refs resolved in `doc`; the pointers of those that fail, with why. */
function invalidExamples(doc: Doc, found: Found[]): string[] {
  const ajv = new Ajv2020({ strict: false })
  addFormats(ajv)
  const compiled = new Map<Node, ValidateFunction>()
  const failures: string[] = []
  for (const { pointer, value, schema } of found) {
    let validate = compiled.get(schema)
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components })
      compiled.set(schema, validate)
    }
    if (!validate(value)) failures.push(`${pointer}: ${ajv.errorsText(validate.errors)}`)
  }
  return failures
}

/** The schema a `$ref` (or an inline schema) stands for. */
function resolve(doc: Doc, schema: Node): Node {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  return doc.components.schemas[ref.replace('#/components/schemas/', '')] ?? {}
}

type Media = { schema?: Node; example?: unknown }
type Operation = {
  operationId: string
  parameters?: { name: string; in: string; required?: boolean; example?: unknown; schema?: Node }[]
  requestBody?: { content: Record<string, Media> }
  responses: Record<string, { content?: Record<string, Media> }>
}

/**
 * What a caller cannot copy from the document, per operation: a JSON request body, path parameter,
 * required query parameter or JSON success response with no example (on itself or its schema).
 */
function withoutExamples(doc: Doc): string[] {
  const shown = (media: Media | undefined) => media?.example !== undefined || (media?.schema !== undefined && resolve(doc, media.schema).example !== undefined)
  return Object.values(doc.paths).flatMap((item) =>
    Object.values(item as Record<string, Operation>).flatMap((op) => [
      ...(op.parameters ?? []).filter((p) => (p.in === 'path' || (p.in === 'query' && p.required)) && p.example === undefined && p.schema?.example === undefined).map((p) => `${op.operationId}: ${p.in} parameter ${p.name}`),
      ...(op.requestBody?.content['application/json'] && !shown(op.requestBody.content['application/json']) ? [`${op.operationId}: request body`] : []),
      ...Object.entries(op.responses)
        .filter(([status, r]) => status.startsWith('2') && r.content?.['application/json'] && !shown(r.content['application/json']))
        .map(([status]) => `${op.operationId}: ${status} response`),
    ]),
  )
}

describe('the examples in GET /v1/openapi.json', () => {
  it('each validates against its schema', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    const found = examplesIn(doc, '', '', [])
    expect(found.length).toBeGreaterThan(10)
    expect(invalidExamples(doc, found)).toEqual([])
  })

  it('shows every operation’s JSON request body, path and required query parameters, and JSON success response by example', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    expect(withoutExamples(doc)).toEqual([])
  })

  it('names the operation and the part of it that has no example', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    delete doc.components.schemas.Health!.example
    expect(withoutExamples(doc)).toEqual(['getHealth: 200 response'])
  })

  it('names the JSON pointer of an example that does not match its schema', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    const money = doc.components.schemas.Money!
    money.example = { amount: 12.5, currency: 'USD' }
    expect(invalidExamples(doc, examplesIn(doc, '', '', []))).toEqual([expect.stringMatching(/^\/components\/schemas\/Money\/example: /)])
  })
})
