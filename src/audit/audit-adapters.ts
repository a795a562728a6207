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
  'account.role_changed',
  'account.unfrozen',
  'account.exported',
  'account.erased',
  'dispute.resolved',
  'order.cancelled_by_staff',
  'order.reconcile_requested',
  'refund.retried_by_staff',
  'refund.settled_by_staff',
  'payout.requested',
  'payout.paid',
  'payout.failed',
  'payout.account_set',
  'kyc.started',
  'kyc.verified',
  'kyc.rejected',
  'risk.rules_changed',
  'risk.blocklist_changed',
  'risk.review_approved',
  'risk.review_rejected',
  'read_model.rebuild_started',
  'dead_letter.replayed',
  'poll.created',
  'personal_data.read',
] as const
export type AuditAction = (typeof auditActions)[number]

export type AuditEntry = { actorId: string; action: AuditAction; subjectId?: string | null; details?: Record<string, AuditValue> }

/**
 * Staff read another person's personal data (docs/SECURITY.md "The audit log"): `personal_data.read`
 * by the staff member, about the person (null when a read spans many, as a page of dead letters
 * does), naming what was read and the request, so the entry leads to the request's own logs.
 */
export function auditPersonalDataRead(env: Env, log: Logger, read: { staffId: string; subjectId: string | null; what: string; resourceId: string | null; requestId: string; details?: Record<string, AuditValue> }): Promise<void> {
  return audit(env, log, {
    actorId: read.staffId,
    action: 'personal_data.read',
    subjectId: read.subjectId,
    details: { ...read.details, what: read.what, resourceId: read.resourceId, requestId: read.requestId },
  })
}

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
