import { spawnSync } from 'node:child_process'
import { ledgerChecks } from '../src/ledger/ledger-checks.ts'
import { wrangler, wranglerBin } from './local-d1.ts'

/**
 * `npm run ledger:verify`: proves laws 3 and 4 over the local D1 database (the one `npm start`
 * uses; SOUK_PERSIST_DIR selects another, `--remote` asks the deployed one). Each check is a query
 * whose rows are violations; exits 1 if any has rows. The deployment's admin route
 * `GET /v1/admin/ledger/verify` runs the very same queries.
 */
const remote = process.argv.includes('--remote')
const persist = process.env.SOUK_PERSIST_DIR ? ['--persist-to', process.env.SOUK_PERSIST_DIR] : []

// A database that has never been started has no tables yet: bring its schema up first (idempotent).
if (!remote) wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist])

let failed = 0
for (const check of ledgerChecks) {
  const result = spawnSync(process.execPath, [wranglerBin(), 'd1', 'execute', 'DB', remote ? '--remote' : '--local', ...persist, '--json', '--command', check.sql], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  if (result.status !== 0) {
    console.error(`${check.name}: wrangler failed\n${result.stdout}\n${result.stderr}`)
    process.exit(2)
  }
  const rows = (JSON.parse(result.stdout) as { results: unknown[] }[])[0]?.results ?? []
  const ok = rows.length === 0
  if (!ok) failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} law ${check.law} ${check.name}: ${check.description}`)
  for (const row of rows) console.log(`       ${JSON.stringify(row)}`)
}
console.log(failed === 0 ? 'ledger verified: every check holds' : `${failed} check(s) failed`)
process.exit(failed === 0 ? 0 : 1)
