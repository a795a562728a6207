/**
 * A saga as a list of named steps (Medusa's shape, STYLE 2.9). Each step runs in turn; one may
 * end the saga early ('halt': an answer is ready and nothing is undone). When a step refuses for
 * good (`StepRejected`: a definite "no"), the steps started so far are compensated, newest first,
 * the refusing one included (a compensation must therefore be safe when its step did only part of
 * its work, or none), and the refusal goes on.
 *
 * Any other error (a transient fault, a lost answer) undoes nothing: every step is idempotent by
 * the saga's key, so the caller's retry with the same key goes on from where this run stood, and
 * what nobody retries ends by itself (a hold lapses; reconciliation finishes a charge). Past the
 * pivot (the step after which the outcome can no longer be taken back, such as a charge) nothing
 * is compensated at all. Pure.
 */
export type Step<C> = {
  name: string
  run(ctx: C): Promise<'next' | 'halt'>
  /** Undoes the step by what the context names (the order id), not by what this run believes it did. */
  compensate?(ctx: C): Promise<void>
  pivot?: boolean
}

/** A step's definite refusal: it did nothing that needs to stay, and says why. */
export class StepRejected<R> extends Error {
  constructor(readonly rejection: R) {
    super('step rejected')
    this.name = 'StepRejected'
  }
}

export async function runSaga<C>(ctx: C, steps: readonly Step<C>[]): Promise<'completed' | 'halted'> {
  const started: Step<C>[] = []
  let pivoted = false
  for (const step of steps) {
    started.push(step)
    let outcome: 'next' | 'halt'
    try {
      outcome = await step.run(ctx)
    } catch (err) {
      if (err instanceof StepRejected && !pivoted) for (const s of [...started].reverse()) await s.compensate?.(ctx)
      throw err
    }
    if (step.pivot) pivoted = true
    if (outcome === 'halt') return 'halted'
  }
  return 'completed'
}
