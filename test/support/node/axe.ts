import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** axe-core's own bundle, read from node_modules and run in the page (never from a CDN). */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/**
 * The WCAG 2.x A and AA violations axe-core finds in the page as it stands, each as
 * `rule (impact): help — selectors`, so a failing test says what to fix and where.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated by the browser's debugging protocol, so the page's CSP (self-only scripts) does not apply.
  await page.evaluate(axeSource)
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )
  return violations.map((v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}
