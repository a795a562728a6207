/**
 * Which errors are the platform being busy rather than Souk being wrong. A Durable Object or D1
 * call under load can fail with an error that says so: Cloudflare marks it `.retryable` (worth
 * trying again, if the call is safe to repeat) or `.overloaded` (do not retry: it adds load to
 * what cannot keep up). Errors that carry neither flag are told by the messages Cloudflare
 * documents for DO and D1 (`D1_ERROR: …` included). A wrapper such as drizzle's query error is
 * looked through by its `cause`.
 *
 * An ordinary bug is never transient: a TypeError, RangeError, ReferenceError or SyntaxError
 * counts only when the platform itself flagged it.
 */

const overloadedMessages = [/\boverloaded\b/i, /too many requests queued/i]

const transientMessages = [
  /network connection lost/i,
  /caused object to be reset/i, // "storage caused object to be reset", "…exceeded timeout which caused object to be reset"
  /reset because its code was updated/i,
  /\binternal error\b/i,
  /transient issue/i, // "Cannot resolve D1 DB due to transient issue on remote node"
  /\btimed out\b/i,
  ...overloadedMessages,
]

const bugClasses = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']

/** Wrappers are followed this far down their `cause` chain, so a cycle cannot loop. */
const MAX_CAUSES = 4

/** True when `err` (or what it wraps) is a transient platform failure: overloaded, reset, lost, timed out. */
export function isTransient(err: unknown): boolean {
  return someInChain(err, (e) => e.retryable === true || e.overloaded === true || matchesMessage(e, transientMessages))
}

/** True when the platform said it is overloaded: answer 503 at once, never retry. */
export function isOverloaded(err: unknown): boolean {
  return someInChain(err, (e) => e.overloaded === true || matchesMessage(e, overloadedMessages))
}

/** A transient error that is worth trying again shortly (Cloudflare: retry `.retryable`, never `.overloaded`). */
export function isRetryable(err: unknown): boolean {
  return isTransient(err) && !isOverloaded(err)
}

type Flagged = Error & { retryable?: unknown; overloaded?: unknown }

function matchesMessage(e: Flagged, patterns: RegExp[]): boolean {
  if (bugClasses.includes(e.name)) return false
  return patterns.some((p) => p.test(e.message))
}

function someInChain(err: unknown, test: (e: Flagged) => boolean): boolean {
  let current: unknown = err
  for (let depth = 0; depth <= MAX_CAUSES && current instanceof Error; depth++) {
    if (test(current)) return true
    current = current.cause
  }
  return false
}
