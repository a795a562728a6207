import { describe, expect, it } from 'vitest'
import { problemCodesExtension, problemCodesMarkdown } from '../../../src/http/openapi-problem-codes'
import { problemCodes, problemTitles } from '../../../src/http/problem-codes'

describe('problem codes in the OpenAPI document', () => {
  it('maps every code to its title in x-problem-codes, in declaration order', () => {
    expect(Object.keys(problemCodesExtension)).toEqual(problemCodes)
    for (const code of problemCodes) expect(problemCodesExtension[code]).toBe(problemTitles[code])
  })

  it('has one Markdown table row per code, its code in backticks, after a heading', () => {
    const lines = problemCodesMarkdown.split('\n')
    expect(lines[0]).toBe('## Problem codes')
    const rows = lines.filter((l) => /^\| `/.test(l))
    expect(rows).toHaveLength(problemCodes.length)
    expect(rows).toContain('| `unauthenticated` | A valid bearer token is required |')
  })
})
