import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

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

/** Both, as strings (objects JSON-encoded): the form `wrangler dev --var` and miniflare take. */
export function developmentBindings(): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [k, v] of Object.entries(developmentVars())) vars[k] = typeof v === 'string' ? v : JSON.stringify(v)
  return { ...vars, ...developmentSecrets() }
}

function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line)
    if (match?.[1] && match[2] !== undefined) out[match[1]] = match[2].replace(/^"(.*)"$/, '$1')
  }
  return out
}
