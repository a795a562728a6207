import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideOutcome, decideStart, outcomeOfEvent, sandboxOutcome, sessionKey, type Verification, type VerificationOutcome } from '../../../src/kyc/verification'

const pending = (sessionId = 'vs_1', attempts = 1): Verification => ({ status: 'pending', sessionId, url: null, attempts })

describe('decideStart', () => {
  it('starts session 1 for a seller who never started, and the next one after a rejection', () => {
    expect(decideStart(undefined)).toEqual({ kind: 'start', attempt: 1 })
    expect(decideStart({ status: 'rejected', sessionId: 'vs_2', url: null, attempts: 2 })).toEqual({ kind: 'start', attempt: 3 })
  })

  it('answers a pending or verified verification as it stands, starting nothing', () => {
    expect(decideStart(pending('vs_1'))).toEqual({ kind: 'current', verification: pending('vs_1') })
    const verified: Verification = { status: 'verified', sessionId: 'vs_1', url: null, attempts: 1 }
    expect(decideStart(verified)).toEqual({ kind: 'current', verification: verified })
  })

  it('keys each session by the seller and its number, so a retried start is the same session', () => {
    expect(sessionKey('usr_a', 1)).toBe(sessionKey('usr_a', 1))
    expect(sessionKey('usr_a', 1)).not.toBe(sessionKey('usr_a', 2))
    expect(sessionKey('usr_a', 1)).not.toBe(sessionKey('usr_b', 1))
  })
})

describe('decideOutcome', () => {
  const verified: VerificationOutcome = { kind: 'verified' }
  const rejected: VerificationOutcome = { kind: 'rejected', reason: 'document_expired' }

  it('moves the current session: pending to verified or rejected, rejected to verified (passed on a retry)', () => {
    expect(decideOutcome(pending('vs_1'), 'vs_1', verified)).toEqual({ kind: 'move', from: 'pending', to: 'verified', reason: null })
    expect(decideOutcome(pending('vs_1'), 'vs_1', rejected)).toEqual({ kind: 'move', from: 'pending', to: 'rejected', reason: 'document_expired' })
    expect(decideOutcome({ ...pending('vs_1'), status: 'rejected' }, 'vs_1', verified)).toEqual({ kind: 'move', from: 'rejected', to: 'verified', reason: null })
  })

  it('ignores another session’s outcome, an erased session, a rejection after verification and a repeated rejection', () => {
    expect(decideOutcome(pending('vs_2', 2), 'vs_1', verified)).toEqual({ kind: 'ignored' })
    expect(decideOutcome({ ...pending('vs_1'), sessionId: null }, 'vs_1', verified)).toEqual({ kind: 'ignored' })
    expect(decideOutcome({ ...pending('vs_1'), status: 'verified' }, 'vs_1', rejected)).toEqual({ kind: 'ignored' })
    expect(decideOutcome({ ...pending('vs_1'), status: 'rejected' }, 'vs_1', rejected)).toEqual({ kind: 'ignored' })
  })

  it('says `unknown` when the seller has no verification recorded (the provider should send it again)', () => {
    expect(decideOutcome(undefined, 'vs_1', verified)).toEqual({ kind: 'unknown' })
  })

  it('ends the same whatever the order and repeats of one session’s events: verified if any said so', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<VerificationOutcome>(verified, rejected, { kind: 'rejected', reason: 'canceled' }), { minLength: 1, maxLength: 12 }), (events) => {
        let v: Verification = pending('vs_1')
        for (const e of events) {
          const d = decideOutcome(v, 'vs_1', e)
          if (d.kind === 'move') {
            expect(d.from).toBe(v.status)
            v = { ...v, status: d.to }
          }
        }
        expect(v.status).toBe(events.some((e) => e.kind === 'verified') ? 'verified' : 'rejected')
        // Once verified, nothing moves it again.
        if (v.status === 'verified') for (const e of events) expect(decideOutcome(v, 'vs_1', e).kind).toBe('ignored')
      }),
    )
  })
})

describe('outcomeOfEvent', () => {
  it('reads Stripe Identity’s verified, requires_input and canceled events, and nothing else', () => {
    expect(outcomeOfEvent('identity.verification_session.verified', undefined)).toEqual({ kind: 'verified' })
    expect(outcomeOfEvent('identity.verification_session.requires_input', 'selfie_face_mismatch')).toEqual({ kind: 'rejected', reason: 'selfie_face_mismatch' })
    expect(outcomeOfEvent('identity.verification_session.requires_input', undefined)).toEqual({ kind: 'rejected', reason: 'requires_input' })
    expect(outcomeOfEvent('identity.verification_session.canceled', undefined)).toEqual({ kind: 'rejected', reason: 'canceled' })
    for (const type of ['identity.verification_session.created', 'identity.verification_session.processing', 'identity.verification_session.redacted', 'payment_intent.succeeded']) {
      expect(outcomeOfEvent(type, undefined)).toBeUndefined()
    }
  })
})

describe('sandboxOutcome', () => {
  it('rejects a display name containing "reject" in any case, and verifies everyone else', () => {
    expect(sandboxOutcome('Please Reject Me').kind).toBe('rejected')
    expect(sandboxOutcome('REJECTED')).toEqual({ kind: 'rejected', reason: 'document_unverified_other' })
    expect(sandboxOutcome('Alice (seller)')).toEqual({ kind: 'verified' })
    expect(sandboxOutcome('Rej ect').kind).toBe('verified')
  })
})
