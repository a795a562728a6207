import type { Logger } from '../core/logger'
import { systemClock } from '../platform/runtime'
import type { AuditValue } from './audit-chain'
import { auditLogStub } from './audit-log-object'

/** What the audit log records (docs/SECURITY.md "The audit log"). */
export const auditActions = [
  'login.succeeded',
  'login.failed',
  'mfa.enrolment_started',
  'mfa.enabled',
  'mfa.disabled',
  'api_key.created',
  'api_key.revoked',
  'account.frozen',
  'account.unfrozen',
  'account.exported',
  'account.erased',
  'dispute.resolved',
  'order.cancelled_by_staff',
  'payout.requested',
  'payout.paid',
  'payout.failed',
  'kyc.started',
  'kyc.verified',
  'kyc.rejected',
  'read_model.rebuild_started',
  'dead_letter.replayed',
] as const
export type AuditAction = (typeof auditActions)[number]

export type AuditEntry = { actorId: string; action: AuditAction; subjectId?: string | null; details?: Record<string, AuditValue> }

/**
 * Appends to the audit log after the action it records has happened. An append that fails does
 * not undo or refuse the action; it is logged at error level, with the entry, for an operator to
 * see (the log then has a gap in time, never a broken chain).
 */
export async function audit(env: Env, log: Logger, entry: AuditEntry): Promise<void> {
  try {
    await auditLogStub(env).append({ at: systemClock().toISOString(), actorId: entry.actorId, action: entry.action, subjectId: entry.subjectId ?? null, details: entry.details ?? {} })
  } catch (err) {
    log.error('audit_append_failed', { action: entry.action, actorId: entry.actorId, subjectId: entry.subjectId, err })
  }
}
