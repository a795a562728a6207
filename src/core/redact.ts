/**
 * Removes secrets and personal data from values before they are logged. Keys that name a
 * secret or a personal field are replaced whole; strings are scrubbed of e-mail addresses,
 * bearer credentials and Souk's own token formats wherever they appear.
 */
const sensitiveKey =
  /pass(word|phrase)?|secret|token|authorization|cookie|api[-_]?key|^key$|totp|otp|mfa[-_]?code|signature|email|phone|address|^ip$|ipaddress|card|iban|ssn/i

const scrubbers: [RegExp, string][] = [
  [/\b(st|sk|whsec)_[A-Za-z0-9_-]{8,}/g, '[secret]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [secret]'],
  [/\b(pass(?:word)?|secret|token|api[-_]?key)(\s*[=:]\s*)[^\s&,;]+/gi, '$1$2[redacted]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // Database errors quote the statement's bound values (token hashes, names people typed).
  [/\bparams: .*$/gm, 'params: [redacted]'],
]

export const REDACTED = '[redacted]'
const maxDepth = 6

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value)
  if (value === null || typeof value !== 'object') return value
  if (depth >= maxDepth) return '[truncated]'
  if (value instanceof Error) return redactError(value, depth)
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] = sensitiveKey.test(key) ? REDACTED : redact(item, depth + 1)
  }
  return out
}

export function scrub(text: string): string {
  return scrubbers.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text)
}

function redactError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: scrub(err.message) }
  if (err.stack) out.stack = scrub(err.stack)
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1)
  return out
}
