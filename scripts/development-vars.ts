import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { unstable_readConfig } from 'wrangler'

/**
 * The settings every local run uses on top of wrangler.toml's production defaults: `npm start`,
 * the integration and end-to-end tests, and the bench all read them from here, so they agree.
 * Vars come from config/development.vars.json; development-only secrets from .dev.vars.example.
 */
const root = fileURLToPath(new URL('..', import.meta.url))

export function developmentVars(): Record<string, string | object> {
  return JSON.parse(readFileSync(`${root}config/development.vars.json`, 'utf8')) as Record<string, string | object>
}

export function developmentSecrets(): Record<string, string> {
  return parseDotenv(readFileSync(`${root}.dev.vars.example`, 'utf8'))
}

/**
 * The secrets `wrangler dev` reads from .dev.vars (`npm start`), after adding to it every secret
 * of .dev.vars.example it lacks (a .dev.vars made before a secret existed), so that a new secret
 * needs no hand editing. Values already there are left as they are.
 */
export function localSecrets(): Record<string, string> {
  const file = `${root}.dev.vars`
  const example = readFileSync(`${root}.dev.vars.example`, 'utf8')
  if (!existsSync(file)) {
    writeFileSync(file, example)
    console.log('Created .dev.vars from .dev.vars.example (development-only secrets).')
  }
  const present = parseDotenv(readFileSync(file, 'utf8'))
  const lacking = example.split('\n').filter((line) => {
    const name = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1]
    return name !== undefined && !(name in present)
  })
  if (lacking.length > 0) {
    appendFileSync(file, `${readFileSync(file, 'utf8').endsWith('\n') ? '' : '\n'}${lacking.join('\n')}\n`)
    console.log(`Added to .dev.vars from .dev.vars.example: ${lacking.map((l) => l.split('=')[0]).join(', ')}`)
  }
  return parseDotenv(readFileSync(file, 'utf8'))
}

/** Both, as strings (objects JSON-encoded): the form `wrangler dev --var` and miniflare take. */
export function developmentBindings(): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [k, v] of Object.entries(developmentVars())) vars[k] = typeof v === 'string' ? v : JSON.stringify(v)
  return { ...vars, ...developmentSecrets() }
}

type DeclaredConsumer = { queue: string; max_batch_size?: number; max_retries?: number; dead_letter_queue?: string }

/**
 * Each queue consumer as wrangler.toml declares it (batch size, retries, dead-letter queue), for
 * miniflare, with a quicker batch timeout. A partial override would replace the declared consumer
 * and silently drop its retries and dead-letter queue, so every field is carried over.
 */
export function localQueueConsumers(maxBatchTimeout: number): Record<string, { maxBatchSize?: number; maxBatchTimeout: number; maxRetries?: number; deadLetterQueue?: string }> {
  // wrangler's declared type for this part of the config does not resolve here; this is its shape.
  const { queues } = unstable_readConfig({ config: `${root}wrangler.toml` }) as unknown as { queues: { consumers?: DeclaredConsumer[] } }
  const consumers = queues.consumers ?? []
  return Object.fromEntries(
    consumers.map((c) => [c.queue, { maxBatchSize: c.max_batch_size, maxBatchTimeout, maxRetries: c.max_retries, deadLetterQueue: c.dead_letter_queue }]),
  )
}

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line)
    if (match?.[1] && match[2] !== undefined) out[match[1]] = match[2].replace(/^"(.*)"$/, '$1')
  }
  return out
}
