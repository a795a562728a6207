import { describe, expect, it } from 'vitest'
import { grantableScopes, isStaff, roles, scopes } from '../../../src/accounts/scopes'

describe('grantableScopes', () => {
  it('lets a user grant every scope but admin', () => {
    expect(grantableScopes('user')).not.toContain('admin')
    expect([...grantableScopes('user')].sort()).toEqual(scopes.filter((s) => s !== 'admin').sort())
  })

  it.each(['support', 'admin'] as const)('lets %s grant every scope, admin included', (role) => {
    expect(grantableScopes(role)).toContain('admin')
    expect([...grantableScopes(role)].sort()).toEqual([...scopes].sort())
  })
})

describe('isStaff', () => {
  it('is true exactly for support and admin', () => {
    expect(roles.filter(isStaff)).toEqual(['support', 'admin'])
  })
})
