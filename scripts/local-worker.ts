import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unstable_startWorker } from 'wrangler'
import { developmentSecrets, developmentVars } from './development-vars.ts'
import { prepareLocalDatabase } from './local-d1.ts'

type Binding = { type: 'plain_text'; value: string } | { type: 'json'; value: object } | { type: 'secret_text'; value: string }

/**
 * Souk on loopback exactly as `npm start` runs it (migrations, demo seed, development settings),
 * in a fresh state directory, on a free port: for the end-to-end tests and the bench.
 */
export async function startLocalSouk(
  overrides: Record<string, string> = {},
  /** Runs on the state directory once the database is ready and before the worker opens it (the search bench seeds there). */
  beforeStart?: (persistDir: string) => Promise<void>,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const persist = mkdtempSync(join(tmpdir(), 'souk-local-'))
  await prepareLocalDatabase(persist)
  await beforeStart?.(persist)
  const bindings: Record<string, Binding> = {}
  for (const [k, v] of Object.entries(developmentVars())) bindings[k] = typeof v === 'string' ? { type: 'plain_text', value: v } : { type: 'json', value: v }
  for (const [k, v] of Object.entries(developmentSecrets())) bindings[k] = { type: 'secret_text', value: v }
  for (const [k, v] of Object.entries(overrides)) bindings[k] = { type: 'plain_text', value: v }
  const worker = await unstable_startWorker({
    config: 'wrangler.toml',
    bindings,
    dev: { server: { hostname: '127.0.0.1', port: 0 }, persist, watch: false, inspector: false, logLevel: 'warn' },
  })
  const url = (await worker.url).origin
  return {
    url,
    stop: async () => {
      await worker.dispose()
      rmSync(persist, { recursive: true, force: true })
    },
  }
}
