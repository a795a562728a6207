/**
 * Every stable machine `code` a problem response may carry, with its human title. A code is a
 * contract: clients branch on it, so one is never renamed or reused for another meaning.
 */
export const problemTitles = {
  validation_failed: 'The request has invalid fields',
  malformed_json: 'The body is not valid JSON',
  unsupported_media_type: 'The body must be application/json',
  payload_too_large: 'The body is larger than the 64 KiB limit',
  not_found: 'Not found',
  unauthenticated: 'A valid bearer token is required',
  forbidden: 'This credential may not do that',
  account_frozen: 'This account is frozen',
  invalid_credentials: 'The e-mail address or password is wrong',
  email_taken: 'That e-mail address is already registered',
  api_key_limit: 'Too many live API keys',
  mfa_required: 'A current one-time code is required',
  idempotency_key_missing: 'This request needs an Idempotency-Key header',
  idempotency_key_invalid: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters',
  idempotency_key_reused: 'This Idempotency-Key was used with a different request',
  idempotency_request_in_progress: 'A request with this Idempotency-Key is still running',
  rate_limited: 'Too many requests',
  internal_error: 'Something went wrong on our side',
  service_misconfigured: 'The service is not configured correctly',
} as const satisfies Record<string, string>

export type ProblemCode = keyof typeof problemTitles

export const problemCodes = Object.keys(problemTitles) as ProblemCode[]

/** Where a problem's `type` points: the /docs page lists every code with its meaning. */
export const problemType = (code: ProblemCode): string => `/docs#problem-${code}`
