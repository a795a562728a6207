import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/**
 * The secret scan `npm run security:check` runs over every tracked file (docs/SECURITY.md "Checks
 * in CI"): well-known credential shapes, and assignments of long, high-entropy strings to names
 * that say secret. A finding the repository means to hold (a development-only value, a test
 * fixture) is listed in `.secret-scan-allow.json` by path and fingerprint, with the reason. Pure:
 * the caller reads the files.
 */
export type Finding = { path: string; line: number; rule: string; fingerprint: string; preview: string }
export type AllowEntry = { path: string; fingerprint: string; reason: string }

type Rule = { name: string; pattern: RegExp; /** The capture group holding the secret (0: the whole match). */ group?: number; minEntropy?: number }

const rules: Rule[] = [
  { name: 'private-key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g },
  { name: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'aws-secret-access-key', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b/gi, group: 1 },
  { name: 'stripe-live-key', pattern: /\b(?:sk|rk)_live_[0-9a-zA-Z]{16,}/g },
  // A webhook signing secret with a real-looking base64 body (not a placeholder such as whsec_…).
  { name: 'webhook-secret', pattern: /\bwhsec_([A-Za-z0-9+/]{24,}={0,2})/g, group: 1, minEntropy: 3.5 },
  { name: 'github-token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b/g },
  { name: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  {
    name: 'high-entropy-assignment',
    pattern: /\b[\w-]*(?:secret|token|password|passwd|api[_-]?key|private[_-]?key|auth[_-]?key)[\w-]*["']?\s*[:=]\s*["'`]([A-Za-z0-9+/_=.-]{20,})["'`]/gi,
    group: 1,
    minEntropy: 4,
  },
]

/** Shannon entropy in bits per character: random base64 is near 6, words and repeats far lower. */
export function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / s.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** What an allowlist entry names: the rule and the secret, hashed, so the list never repeats a secret. */
export const fingerprintOf = (rule: string, secret: string): string => bytesToHex(sha256(utf8ToBytes(`${rule}:${secret}`))).slice(0, 16)

/** The findings in one file's text, less those the allowlist names for that path. */
export function scanText(path: string, text: string, allow: readonly AllowEntry[] = []): Finding[] {
  const findings: Finding[] = []
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    for (const rule of rules) {
      for (const m of line.matchAll(rule.pattern)) {
        const secret = m[rule.group ?? 0] ?? m[0]
        if (rule.minEntropy !== undefined && entropy(secret) < rule.minEntropy) continue
        const fingerprint = fingerprintOf(rule.name, secret)
        if (allow.some((a) => a.fingerprint === fingerprint && a.path === path)) continue
        findings.push({ path, line: i + 1, rule: rule.name, fingerprint, preview: `${secret.slice(0, 4)}…(${secret.length} chars)` })
      }
    }
  })
  return findings
}

/** Files the scan reads: text, not the lockfile's integrity hashes (checked on their own), not vendored bundles. */
export function scannable(path: string): boolean {
  if (path === 'package-lock.json' || path.endsWith('/package-lock.json')) return false
  return !/\.(png|jpe?g|gif|webp|ico|woff2?|ttf|pdf|zip|gz|wasm)$/i.test(path)
}

/** Allowlist entries that no longer match anything: stale entries are refused, so the list stays true. */
export function staleEntries(allow: readonly AllowEntry[], allFindings: readonly Finding[]): AllowEntry[] {
  return allow.filter((a) => !allFindings.some((f) => f.fingerprint === a.fingerprint && f.path === a.path))
}
