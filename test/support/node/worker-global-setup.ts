import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { unstable_startWorker } from 'wrangler'
import { developmentSecrets, developmentVars } from '../../../scripts/development-vars.ts'
import { prepareLocalDatabase } from '../../../scripts/local-d1.ts'

/**
 * Starts the real worker once for the end-to-end and browser tests: a fresh state directory,
 * migrations applied and demo data seeded exactly as `npm start` does, the development settings,
 * and a free port on loopback. Tests reach it over real HTTP at `inject('baseUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persist = mkdtempSync(join(tmpdir(), 'souk-e2e-'))
  await prepareLocalDatabase(persist)
  const bindings = {
    ...Object.fromEntries(
      Object.entries(developmentVars()).map(([k, v]) => [k, typeof v === 'string' ? { type: 'plain_text' as const, value: v } : { type: 'json' as const, value: v }]),
    ),
    ...Object.fromEntries(Object.entries(developmentSecrets()).map(([k, v]) => [k, { type: 'secret_text' as const, value: v }])),
    LOG_LEVEL: { type: 'plain_text' as const, value: 'warn' },
  }
  const worker = await unstable_startWorker({
    config: 'wrangler.toml',
    bindings,
    dev: { server: { hostname: '127.0.0.1', port: 0 }, persist, watch: false, inspector: false, logLevel: 'warn' },
  })
  const url = await worker.url
  project.provide('baseUrl', url.origin)
  return async () => {
    await worker.dispose()
    rmSync(persist, { recursive: true, force: true })
  }
}
