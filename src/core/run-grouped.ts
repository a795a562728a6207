/**
 * Runs `work` over `items`: items that share a key one after another, in their order; different
 * keys side by side, at most `concurrency` at a time. A queue consumer uses it to keep each
 * aggregate's events in order while a batch's other aggregates proceed, instead of one message at
 * a time. `work` must not reject (each item reports its own failure, as a message's retry does).
 */
export async function runGrouped<T>(items: readonly T[], keyOf: (item: T) => string, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  const pending = [...groups.values()]
  const lane = async (): Promise<void> => {
    for (let group = pending.shift(); group; group = pending.shift()) {
      for (const item of group) await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, lane))
}
