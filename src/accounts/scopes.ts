/**
 * What an API key may be allowed to do. A session token carries every scope its user's role
 * allows; an API key carries only the scopes it was created with.
 */
export const scopes = [
  'account:read',
  'listings:write',
  'trading:write',
  'orders:read',
  'orders:write',
  'payouts:write',
  'webhooks:manage',
  'notifications:read',
  'admin',
] as const
export type Scope = (typeof scopes)[number]

export const roles = ['user', 'support', 'admin'] as const
export type Role = (typeof roles)[number]

export const isStaff = (role: Role): boolean => role === 'support' || role === 'admin'

/** A user cannot hand a key more than their role holds: only staff may grant `admin`. */
export function grantableScopes(role: Role): readonly Scope[] {
  return isStaff(role) ? scopes : scopes.filter((s) => s !== 'admin')
}
