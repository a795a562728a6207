/**
 * The lockfile check `npm run security:check` falls back on when the registry's advisory audit
 * cannot be reached: every package the lockfile installs comes from the npm registry over https,
 * pinned by a SHA-512 integrity hash (which npm verifies on every install), and nothing comes from
 * a git URL, a tarball elsewhere or a local path. A lockfile written without `resolved` fields
 * (npm's `omit-lockfile-registry-resolved`) installs from the configured registry, which is fine;
 * one that names any other source is not. Pure: the caller reads package-lock.json.
 */
export type LockProblem = { path: string; problem: string }

type LockPackage = { version?: string; resolved?: string; integrity?: string; link?: boolean; dev?: boolean }
type Lockfile = { lockfileVersion?: number; packages?: Record<string, LockPackage> }

export const REGISTRY = 'https://registry.npmjs.org/'

export function lockfileProblems(lock: Lockfile): LockProblem[] {
  if (lock.lockfileVersion === undefined || lock.lockfileVersion < 2 || !lock.packages) return [{ path: 'package-lock.json', problem: 'needs lockfileVersion 2 or 3 with "packages"' }]
  const problems: LockProblem[] = []
  for (const [path, p] of Object.entries(lock.packages)) {
    // The root and the workspaces are this repository's own code.
    if (path === '' || p.link === true || !path.includes('node_modules/')) continue
    if (p.resolved !== undefined && !p.resolved.startsWith(REGISTRY)) problems.push({ path, problem: `resolved from ${p.resolved}, not ${REGISTRY}` })
    if (!p.integrity?.startsWith('sha512-')) problems.push({ path, problem: `no sha512 integrity (${p.integrity ?? 'none'})` })
  }
  return problems
}

/** The production packages (not dev-only) the lockfile installs, as name@version. */
export function productionPackages(lock: Lockfile): string[] {
  return Object.entries(lock.packages ?? {})
    .filter(([path, p]) => path.includes('node_modules/') && p.dev !== true && p.link !== true)
    .map(([path, p]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${p.version ?? '?'}`)
}
