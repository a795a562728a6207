import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { getPlatformProxy } from 'wrangler'
import { d1Port, rotatePersonalData, type D1Like, type SqlPort, type Statement } from '../src/pii/pii-rotation-store.ts'
import { developmentSecrets, developmentVars, parseDotenv } from './development-vars.ts'
import { wranglerBin } from './local-d1.ts'
import { personalDataFrom } from './pii-keys.ts'

/**
 * Re-seals every personal value in D1 that is not under the current key (plaintext from before
 * sealing included), fills missing e-mail blind indexes and hashes the addresses of old
 * notification sends: docs/OPERATIONS.md "Rotating the personal-data keys". In bounded batches,
 * idempotent, resumable (run it again after a stop).
 *
 *   npx tsx scripts/rotate-pii-keys.ts                     the local database of `npm start` (getPlatformProxy)
 *   npx tsx scripts/rotate-pii-keys.ts --persist-to DIR    the local database under `wrangler dev --persist-to DIR`
 *   PII_KEYS=… PII_KEY_ID=… PII_INDEX_KEY=… npx tsx scripts/rotate-pii-keys.ts --remote
 *                                                          the deployed database (through `wrangler d1 execute --remote`)
 *   --batch-size N (default 100, at most 500)   --reindex (recompute every e-mail index, after PII_INDEX_KEY changed)
 *
 * Keys: PII_KEYS, PII_KEY_ID and PII_INDEX_KEY from the environment; locally, what is not there
 * comes from .dev.vars (or .dev.vars.example) and config/development.vars.json, as `npm start` runs.
 * Exits 1 when a value could not be read (each is listed: column, owner, why), 2 on bad usage.
 */
const { values: args } = parseArgs({
  options: {
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    'batch-size': { type: 'string', default: '100' },
    reindex: { type: 'boolean', default: false },
    // Locally, through `wrangler d1 execute --local` rather than getPlatformProxy: the path --remote takes, tried at home.
    'via-wrangler': { type: 'boolean', default: false },
  },
})

const batchSize = Number(args['batch-size'])
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) {
  console.error('--batch-size must be an integer from 1 to 500')
  process.exit(2)
}

const fromEnv = Object.fromEntries(['PII_KEYS', 'PII_KEY_ID', 'PII_INDEX_KEY'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])))
const localKeys = (): Record<string, unknown> => {
  const secrets = existsSync('.dev.vars') ? { ...developmentSecrets(), ...parseDotenv(readFileSync('.dev.vars', 'utf8')) } : developmentSecrets()
  return { PII_KEY_ID: developmentVars().PII_KEY_ID, ...secrets }
}
if (args.remote && Object.keys(fromEnv).length < 3) {
  console.error('--remote needs PII_KEYS, PII_KEY_ID and PII_INDEX_KEY in the environment (the values set with wrangler secret put and in wrangler.toml)')
  process.exit(2)
}
const pd = personalDataFrom({ ...(args.remote ? {} : localKeys()), ...fromEnv })

const where = args.remote ? 'remote' : args['via-wrangler'] ? 'local (wrangler d1 execute)' : 'local'
console.log(`Rotating personal data in the ${where} database to key ${pd.currentKid}, ${batchSize} rows a batch${args.reindex ? ', recomputing every e-mail index' : ''}`)

let dispose = async (): Promise<void> => {}
let db: SqlPort
if (args.remote || args['via-wrangler']) {
  db = wranglerPort(args.remote ? ['--remote'] : ['--local', ...(args['persist-to'] ? ['--persist-to', args['persist-to']] : [])])
} else {
  const persist = args['persist-to'] ? { path: `${args['persist-to']}/v3` } : true
  const proxy = await getPlatformProxy<{ DB: D1Like }>({ configPath: 'wrangler.toml', persist, remoteBindings: false })
  db = d1Port(proxy.env.DB)
  dispose = () => proxy.dispose()
}

try {
  const report = await rotatePersonalData(db, pd, { batchSize, reindex: args.reindex, progress: (what, done) => console.log(`  ${what}: ${done} rows looked at`) })
  console.log(`Sealed anew: ${JSON.stringify(report.resealed)}; e-mail indexes written: ${report.indexed}; sends keyed by hash: ${report.sendsHashed}`)
  if (report.unreadable.length > 0) {
    console.error(`${report.unreadable.length} value(s) could not be read and were left as they are:`)
    for (const u of report.unreadable) console.error(`  ${u.column} of ${u.owner}: ${u.reason}`)
    process.exitCode = 1
  }
} finally {
  await dispose()
}

/** SQL through `wrangler d1 execute`, parameters written in as literals (what that command takes). */
function wranglerPort(where: string[]): SqlPort {
  const execute = (sql: string): unknown[] => {
    const result = spawnSync(process.execPath, [wranglerBin(), 'd1', 'execute', 'DB', ...where, '--json', '--command', sql], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    })
    if (result.status !== 0) throw new Error(`wrangler d1 execute failed (${result.status}): ${result.stderr || result.stdout}`)
    return JSON.parse(result.stdout) as unknown[]
  }
  return {
    all<T>(sql: string, params: unknown[]) {
      const [first] = execute(inline({ sql, params })) as { results: T[] }[]
      return Promise.resolve(first?.results ?? [])
    },
    batch(statements: Statement[]) {
      if (statements.length > 0) execute(statements.map((s) => inline(s)).join(';\n'))
      return Promise.resolve()
    },
  }
}

/** `?N` placeholders replaced by SQL literals: numbers as they are, text quoted, null as NULL. */
function inline(s: Statement): string {
  return s.sql.replace(/\?(\d+)/g, (_, n: string) => {
    const v = s.params[Number(n) - 1]
    if (v === null || v === undefined) return 'NULL'
    if (typeof v === 'number' && Number.isFinite(v)) return String(v)
    if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`
    throw new Error(`cannot write ${typeof v} as a SQL literal`)
  })
}
