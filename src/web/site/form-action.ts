/**
 * What the pages' actions share, pure. Each rendered form carries a nonce made when the page was
 * drawn; the action's `Idempotency-Key` is made of the action, its target and that nonce, so a
 * double click or a resubmitted form is the API's replay (same answer, nothing done twice), while
 * the same form on a freshly drawn page is a new request.
 */
const NONCE = /^[A-Za-z0-9_-]{16,64}$/

/** The action's Idempotency-Key, or undefined when the form carries no nonce of ours. */
export function idempotencyKeyOf(action: string, nonce: unknown): string | undefined {
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) return undefined
  return `page:${action}:${nonce}`.slice(0, 255)
}
