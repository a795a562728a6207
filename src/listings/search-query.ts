/**
 * Turns what a person typed into an FTS5 query that cannot be a syntax error or an injection:
 * the words only, each quoted, each a prefix (so "lam" finds "lamp"), all required.
 * Undefined when nothing searchable is left.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu)?.slice(0, 12) ?? []
  return words.length > 0 ? words.map((w) => `"${w}"*`).join(' ') : undefined
}
