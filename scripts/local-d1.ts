import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { developmentSecrets, developmentVars } from './development-vars.ts'
import { personalDataFrom } from './pii-keys.ts'
import { seedSql } from './seed.ts'

/**
 * Prepares the local D1 database the way `npm start` needs it: migrations applied, demo data
 * seeded. `persistTo` selects the state directory (wrangler's default when omitted); `secrets` are
 * those the worker will run with (its personal-data keys seal the demo accounts' e-mail).
 */
export async function prepareLocalDatabase(persistTo?: string, secrets: Record<string, string> = developmentSecrets()): Promise<void> {
  const persist = persistTo ? ['--persist-to', persistTo] : []
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist])
  const dir = mkdtempSync(join(tmpdir(), 'souk-seed-'))
  try {
    const file = join(dir, 'seed.sql')
    writeFileSync(file, await seedSql(personalDataFrom({ ...developmentVars(), ...secrets })))
    wrangler(['d1', 'execute', 'DB', '--local', '--file', file, ...persist])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function wrangler(args: string[]): void {
  const result = spawnSync(process.execPath, [wranglerBin(), ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  if (result.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed with status ${result.status}`)
}

export const wranglerBin = (): string => join(process.cwd(), 'node_modules', 'wrangler', 'bin', 'wrangler.js')
