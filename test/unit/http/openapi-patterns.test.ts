import { describe, expect, it } from 'vitest'
import { plainPatterns } from '../../../src/http/openapi-patterns'

describe('plainPatterns', () => {
  it('drops a leaked /u from patterns anywhere in the document, and leaves the rest alone', () => {
    const doc = {
      components: { schemas: { Title: { type: 'string', pattern: '^[^\\p{Cc}]+$/u' } } },
      paths: { '/v1/x': { get: { parameters: [{ schema: { pattern: '^\\d{6}$' } }, { schema: { pattern: '^https:\\/\\/u' } }] } } },
    }
    plainPatterns(doc)
    expect(doc.components.schemas.Title.pattern).toBe('^[^\\p{Cc}]+$')
    expect(doc.paths['/v1/x'].get.parameters.map((p) => p.schema.pattern)).toEqual(['^\\d{6}$', '^https:\\/\\/u'])
  })

  it('leaves a property that is named pattern alone', () => {
    const doc = { properties: { pattern: { type: 'string' } } }
    plainPatterns(doc)
    expect(doc).toEqual({ properties: { pattern: { type: 'string' } } })
  })

  it('refuses a flag that would change what the pattern accepts', () => {
    expect(() => plainPatterns({ pattern: '^abc$/i' })).toThrow(/flags "i"/)
  })
})
