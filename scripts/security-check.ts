/**
 * `npm run security:check` (part of `npm test`, docs/SECURITY.md "Checks in CI"):
 *
 * 1. Dependency audit: `npm audit --omit=dev --audit-level=high` against the registry's advisory
 *    service; a high or critical advisory in a production dependency fails. When that service
 *    cannot be reached (it answers 405 through some mirrors, or the host is unknown offline), the
 *    audit says so loudly and checks what it can without it: `npm audit signatures` (registry
 *    signatures and provenance, when sigstore is reachable) and the lockfile (every package from
 *    the npm registry over https with a SHA-512 integrity). It does not pretend: the advisory audit
 *    did not run, and the output says so. `SECURITY_AUDIT_REQUIRED=1` makes that a failure (for CI
 *    that can reach the registry).
 * 2. Secret scan of every tracked file (`git ls-files`), scripts/secret-scan.ts, with the
 *    allowlist `.secret-scan-allow.json`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { lockfileProblems, productionPackages } from './lockfile-check.ts'
import { scannable, scanText, staleEntries, type AllowEntry, type Finding } from './secret-scan.ts'

const ALLOWLIST = '.secret-scan-allow.json'
let failed = false
const fail = (message: string) => {
  failed = true
  console.error(`security:check: ${message}`)
}

function dependencyAudit(): void {
  // No retries: an unreachable service is reported in a second, not after a minute of backoff.
  const quick = ['--fetch-retries=0', '--fetch-timeout=10000']
  const audit = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', ...quick], { encoding: 'utf8', timeout: 60_000 })
  const output = `${audit.stdout ?? ''}${audit.stderr ?? ''}`
  const unreachable = /\b405\b|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|audit endpoint returned an error/.test(output) || audit.error !== undefined
  if (!unreachable) {
    if (audit.status !== 0) fail(`npm audit found high or critical advisories in production dependencies:\n${output}`)
    else console.log('security:check: npm audit --omit=dev: no high or critical advisories')
    return
  }
  console.warn(
    [
      '',
      '*** security:check: THE ADVISORY AUDIT DID NOT RUN ***',
      `The registry's advisory service could not be reached (${output.match(/405[^\n]*|ENOTFOUND[^\n]*|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/)?.[0] ?? 'no answer'}).`,
      'Known vulnerabilities in dependencies were NOT checked. Falling back to registry signatures and the lockfile.',
      '',
    ].join('\n'),
  )
  if (process.env.SECURITY_AUDIT_REQUIRED === '1') fail('SECURITY_AUDIT_REQUIRED=1 and the advisory audit could not run')
  const signatures = spawnSync('npm', ['audit', 'signatures', ...quick], { encoding: 'utf8', timeout: 60_000 })
  const sigOutput = `${signatures.stdout ?? ''}${signatures.stderr ?? ''}`
  if (signatures.status === 0) console.log(`security:check: npm audit signatures: ${sigOutput.trim().split('\n')[0] ?? 'ok'}`)
  else if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|\b404\b/.test(sigOutput)) console.warn('security:check: npm audit signatures could not reach sigstore or the registry keys either; signatures NOT verified')
  else fail(`npm audit signatures failed:\n${sigOutput}`)
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Parameters<typeof lockfileProblems>[0]
  const problems = lockfileProblems(lock)
  for (const p of problems) fail(`package-lock.json ${p.path}: ${p.problem}`)
  if (problems.length === 0) console.log(`security:check: lockfile: every package from the npm registry with a sha512 integrity (${productionPackages(lock).length} production packages)`)
  // The installed tree is the locked one (npm verified each tarball's integrity as it installed it).
  // A package missing or at another version than the lock fails; an extraneous leftover (a package
  // no longer in the lock, still on disk) is only reported: nothing imports it.
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all'], { encoding: 'utf8', timeout: 60_000 })
  const lsProblems = `${ls.stdout}${ls.stderr}`.split('\n').filter((l) => /\b(missing|invalid):/.test(l))
  if (lsProblems.length > 0) fail(`node_modules does not match package-lock.json (npm ls --omit=dev --all):\n${lsProblems.join('\n')}`)
  else if (ls.status !== 0) console.warn('security:check: npm ls reports extraneous packages in node_modules (not in the lockfile); `npm ci` removes them')
  else console.log('security:check: node_modules holds the locked production tree')
}

function secretScan(): void {
  const allow = JSON.parse(readFileSync(ALLOWLIST, 'utf8')) as AllowEntry[]
  const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\0').filter((f) => f !== '' && scannable(f))
  const everything: Finding[] = []
  const reported: Finding[] = []
  for (const path of files) {
    let text: string
    try {
      const bytes = readFileSync(path)
      if (bytes.includes(0) || bytes.length > 2 * 1024 * 1024) continue
      text = bytes.toString('utf8')
    } catch {
      continue // listed but deleted in the working tree
    }
    everything.push(...scanText(path, text))
    reported.push(...scanText(path, text, allow))
  }
  for (const f of reported) fail(`possible secret (${f.rule}) at ${f.path}:${f.line} ${f.preview}, fingerprint ${f.fingerprint}: remove it, or if it is a development-only value add it to ${ALLOWLIST} with the reason`)
  for (const a of staleEntries(allow, everything)) fail(`${ALLOWLIST} names ${a.path} ${a.fingerprint}, which is no longer there: remove the entry`)
  if (reported.length === 0) console.log(`security:check: secret scan: ${files.length} tracked files, nothing found (${allow.length} allowlisted development-only values)`)
}

dependencyAudit()
secretScan()
process.exit(failed ? 1 : 0)
