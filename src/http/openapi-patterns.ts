/**
 * Makes every string `pattern` in an OpenAPI document a plain ECMAScript pattern. The generator
 * writes a zod regex as `regex.toString()` less its slashes, so `/^[^\p{Cc}]+$/u` came out as
 * `^[^\p{Cc}]+$/u`. JSON Schema tools compile patterns with the `u` flag (ajv does), so a trailing
 * `/u` is dropped; any other flag would change what the pattern accepts, so it is refused here
 * rather than published wrong. Mutates `node` in place.
 *
 * @example
 * const doc = { schema: { type: 'string', pattern: '^[^\\p{Cc}]+$/u' } }
 * plainPatterns(doc) // doc.schema.pattern === '^[^\\p{Cc}]+$'
 */
export function plainPatterns(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) plainPatterns(item)
    return
  }
  if (node === null || typeof node !== 'object') return
  const record = node as Record<string, unknown>
  for (const [key, value] of Object.entries(record)) {
    if (key === 'pattern' && typeof value === 'string') record[key] = plainPattern(value)
    else plainPatterns(value)
  }
}

/** A trailing, unescaped `/flags` that `RegExp.prototype.toString` leaves behind. */
const LEAKED_FLAGS = /(?<!\\)\/([a-z]+)$/

function plainPattern(pattern: string): string {
  const leaked = LEAKED_FLAGS.exec(pattern)
  if (!leaked) return pattern
  if (leaked[1] !== 'u') throw new Error(`A published pattern needs the flags "${leaked[1]}", which JSON Schema cannot carry: ${pattern}`)
  return pattern.slice(0, leaked.index)
}
