import { spawn } from 'node:child_process'
import { developmentVars, localSecrets } from './development-vars.ts'
import { prepareLocalDatabase, wranglerBin } from './local-d1.ts'
import { seedDemoListings } from './seed-listings.ts'

/**
 * `npm start`: Souk on one machine with its embedded defaults. Local D1, objects and queues;
 * migrations applied and demo data seeded; development settings (config/development.vars.json)
 * over wrangler.toml's production ones. PORT picks the port (default 8787).
 */
const port = process.env.PORT ?? '8787'
const persistTo = process.env.SOUK_PERSIST_DIR

// .dev.vars, created or completed from .dev.vars.example: the secrets wrangler dev will run with.
const secrets = localSecrets()

await prepareLocalDatabase(persistTo, secrets)

// A collector for the traces, when the caller names one (docs/OPERATIONS.md "Traces").
const collector = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}
const vars = Object.entries({ ...developmentVars(), ...collector }).flatMap(([k, v]) => ['--var', `${k}:${typeof v === 'string' ? v : JSON.stringify(v)}`])
const args = [wranglerBin(), 'dev', '--port', port, '--ip', '127.0.0.1', ...vars, ...(persistTo ? ['--persist-to', persistTo] : [])]
const dev = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } })

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal))
dev.on('exit', (code) => process.exit(code ?? 0))

// Once the worker answers, give it something to look at, then say where it is.
const base = `http://127.0.0.1:${port}`
for (let tries = 0; tries < 240; tries++) {
  const up = await fetch(`${base}/health`).then((r) => r.ok, () => false)
  if (up) {
    await seedDemoListings(base).catch((err: unknown) => console.error('Could not seed demo listings:', err))
    console.log(`\nSouk is running: ${base}/  (API: /v1, docs: /docs, console: /admin)\n`)
    break
  }
  await new Promise((r) => setTimeout(r, 500))
}
