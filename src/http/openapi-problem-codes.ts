import { problemCodes, problemTitles } from './problem-codes'

/**
 * The problem codes in the OpenAPI document, twice: `x-problem-codes` (code → title) for
 * machines, and a Markdown table after the description, which the reference at /docs shows.
 */
export const problemCodesExtension = Object.fromEntries(problemCodes.map((code) => [code, problemTitles[code]]))

export const problemCodesMarkdown = [
  '## Problem codes',
  '',
  'Every error is an RFC 9457 problem (`application/problem+json`) whose `code` is one of these; clients branch on the code, never on the text.',
  '',
  '| code | meaning |',
  '| --- | --- |',
  ...problemCodes.map((code) => `| \`${code}\` | ${problemTitles[code].replaceAll('|', '\\|')} |`),
].join('\n')
