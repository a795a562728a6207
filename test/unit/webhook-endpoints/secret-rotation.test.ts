import { describe, expect, it } from 'vitest'
import { previousSecretExpiry, ROTATION_OVERLAP_MS, signingSecrets } from '../../../src/webhook-endpoints/secret-rotation'

const rotatedAt = new Date('2026-12-05T10:00:00.000Z')
const rotated = { secret: 'whsec_new', previousSecret: 'whsec_old', previousSecretExpiresAt: previousSecretExpiry(rotatedAt) }

describe('signing secrets after a rotation', () => {
  it('keeps the replaced secret for 24 h', () => {
    expect(ROTATION_OVERLAP_MS).toBe(86_400_000)
    expect(rotated.previousSecretExpiresAt).toBe('2026-12-06T10:00:00.000Z')
  })

  it('signs with the new secret first and the old one too, up to the last millisecond of the overlap', () => {
    expect(signingSecrets(rotated, rotatedAt)).toEqual(['whsec_new', 'whsec_old'])
    expect(signingSecrets(rotated, new Date('2026-12-06T09:59:59.999Z'))).toEqual(['whsec_new', 'whsec_old'])
  })

  it('signs with the new secret alone once the overlap is over, and when nothing was rotated', () => {
    expect(signingSecrets(rotated, new Date('2026-12-06T10:00:00.000Z'))).toEqual(['whsec_new'])
    expect(signingSecrets({ secret: 'whsec_only', previousSecret: null, previousSecretExpiresAt: null }, rotatedAt)).toEqual(['whsec_only'])
  })
})
