import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { riskActions, signalCatalog } from '../../../src/risk/risk-signals'

/** docs/SECURITY.md lists every signal a rule may name, with its action and type: the table rule writers read. */
describe('the risk signals table in docs/SECURITY.md', () => {
  const doc = readFileSync(new URL('../../../docs/SECURITY.md', import.meta.url), 'utf8')

  it('has a row for every signal of every action, and none that does not exist', () => {
    const rows = [...doc.matchAll(/^\| (\w+) \| `(\w+)` \| (number|boolean) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)
    const catalog = riskActions.flatMap((action) => Object.entries<{ type: string }>(signalCatalog[action]).map(([name, spec]) => `${action} ${name} ${spec.type}`))
    expect(rows.sort()).toEqual(catalog.sort())
  })
})
