/**
 * What a command against the pure core comes back as: accepted, with the new state and the
 * events to record, or rejected with a reason that carries the API's stable code. Outcomes are
 * values, so they cross RPC intact; the core throws only when an invariant is broken (a bug).
 */
export type Accepted<S, E> = { ok: true; state: S; events: E[] }
export type Rejected<R> = { ok: false; rejection: R }
export type Decision<S, E, R> = Accepted<S, E> | Rejected<R>

/** What an object's command answers across RPC: its result, or the rejection's value. */
export type Outcome<T, R> = { ok: true; value: T } | Rejected<R>

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

export const accept = <S, E>(state: S, events: E[]): Accepted<S, E> => ({ ok: true, state, events })
export const reject = <R>(rejection: R): Rejected<R> => ({ ok: false, rejection })
