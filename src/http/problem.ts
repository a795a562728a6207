import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ProblemCode } from './problem-codes'

/** One entry of a validation problem's `errors[]`. */
export type FieldError = { in: 'body' | 'query' | 'path' | 'header'; path: string; message: string }

export type ProblemOptions = {
  /** Extra members of the problem body (e.g. `minimum` for `bid_too_low`). */
  extra?: Record<string, unknown>
  errors?: FieldError[]
  headers?: Record<string, string>
}

/**
 * An RFC 9457 problem, thrown from anywhere in a request and rendered by `renderProblem`, the
 * app's only error handler.
 */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly options: ProblemOptions = {},
  ) {
    // An answer, not a fault: no stack is captured (ten times the cost of the rest, on every refused bid).
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(detail ?? code)
    Error.stackTraceLimit = limit
    this.name = 'Problem'
  }
}
