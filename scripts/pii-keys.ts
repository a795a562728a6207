import { parseKeyring } from '../src/pii/pii-envelope.ts'
import { personalData, type PersonalData } from '../src/pii/pii-adapters.ts'

/**
 * The personal-data cipher a script uses, from the same settings the worker reads: `PII_KEYS`
 * (JSON, key id to base64 key), `PII_KEY_ID` and `PII_INDEX_KEY`. Refuses clearly, naming what
 * is missing or wrong (never a value).
 */
export function personalDataFrom(settings: Record<string, unknown>): PersonalData & { currentKid: string } {
  const { PII_KEYS: keys, PII_KEY_ID: kid, PII_INDEX_KEY: indexKey } = settings
  const missing = (['PII_KEYS', 'PII_KEY_ID', 'PII_INDEX_KEY'] as const).filter((name) => typeof settings[name] !== 'string' && typeof settings[name] !== 'object')
  if (missing.length > 0) throw new Error(`personal-data keys missing: ${missing.join(', ')}`)
  let ring: unknown = keys
  if (typeof keys === 'string') {
    try {
      ring = JSON.parse(keys)
    } catch {
      throw new Error('PII_KEYS is not JSON')
    }
  }
  if (typeof ring !== 'object' || ring === null || Object.values(ring).some((v) => typeof v !== 'string')) throw new Error('PII_KEYS must be a JSON object of key id to base64 key')
  const parsed = parseKeyring(ring as Record<string, string>, String(kid))
  if (!parsed.ok) throw new Error(`PII_KEYS: ${parsed.problems.join('; ')}`)
  if (typeof indexKey !== 'string' || indexKey.length < 32) throw new Error('PII_INDEX_KEY must be at least 32 characters')
  return { ...personalData(parsed.keyring, indexKey), currentKid: parsed.keyring.currentKid }
}
