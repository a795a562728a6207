import { describe, expect, it } from 'vitest'
import { tidySchemas } from '../../../src/http/openapi-schema-tidy'

const money = { $ref: '#/components/schemas/Money' }

describe('tidySchemas', () => {
  it('writes a described reference as a $ref beside its description, anywhere in the document', () => {
    const doc = { components: { schemas: { Offer: { type: 'object', properties: { amount: { allOf: [money, { description: 'Per unit' }] } } } } } }
    tidySchemas(doc)
    expect(doc.components.schemas.Offer.properties.amount).toEqual({ ...money, description: 'Per unit' })
  })

  it('writes a record of unknown values as additionalProperties: true', () => {
    const doc = { schema: { type: 'object', additionalProperties: {} as unknown } }
    tidySchemas(doc)
    expect(doc.schema.additionalProperties).toBe(true)
  })

  it('writes a union of bare types as a list of types', () => {
    const doc = { details: { additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] } as Record<string, unknown> } }
    tidySchemas(doc)
    expect(doc.details.additionalProperties).toEqual({ type: ['string', 'number', 'null'] })
    const kept = { anyOf: [{ type: 'string' }, { type: 'number', minimum: 1 }] }
    tidySchemas(kept)
    expect(kept).toEqual({ anyOf: [{ type: 'string' }, { type: 'number', minimum: 1 }] })
  })

  it('leaves alone an allOf that constrains, that has company, or that is not a described reference, and example values', () => {
    const kept = [
      { allOf: [money, { minimum: 1 }] },
      { allOf: [money, { description: 'x' }], nullable: true },
      { allOf: [{ ...money, description: 'already' }, { description: 'x' }] },
      { allOf: [money, { description: 'a' }, { description: 'b' }] },
      { additionalProperties: { type: 'string' } },
      { example: { allOf: [money, { description: 'data' }], additionalProperties: {} } },
    ]
    const before = structuredClone(kept)
    tidySchemas(kept)
    expect(kept).toEqual(before)
  })
})
