/**
 * Where the login form sends a person back to: a path under `home` on this origin (any path when
 * `home` is `/`), or `home`.
 * Never another host (`//evil.example`, `/\evil.example`), never a scheme, so the login form
 * cannot be made into an open redirect.
 */
export function returnPath(next: unknown, home: string): string {
  if (typeof next !== 'string' || next.length > 200) return home
  const under = home === '/' ? next.startsWith('/') : next === home || next.startsWith(`${home}/`) || next.startsWith(`${home}?`)
  if (!under) return home
  return /^\/[A-Za-z0-9._~\-/?=&%]*$/.test(next) && !next.includes('//') ? next : home
}
