/**
 * What an `If-Match` header asks of a versioned resource: `"12"` → version 12; `*` → any
 * version (undefined); no header → 'required' (answer 428); anything else → 'unmatchable'
 * (answer 412, it can never match a strong version tag).
 */
export function expectedVersion(header: string | undefined): number | undefined | 'required' | 'unmatchable' {
  if (header === undefined) return 'required'
  if (header.trim() === '*') return undefined
  const match = /^"(\d{1,12})"$/.exec(header.trim())
  return match ? Number(match[1]) : 'unmatchable'
}
