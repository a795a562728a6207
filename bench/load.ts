/**
 * Load shapes for the bench. Closed loop: `concurrency` workers each send the next request as soon
 * as the last answered, for `durationMs` (finds the maximum rate). Open loop: requests leave on a
 * fixed schedule whatever the answers (measures latency at an offered rate, without coordinated
 * omission: latency counts from when a request was due, not when it was sent).
 */
export type Sample = { ms: number; status: number }

export async function closedLoop(durationMs: number, concurrency: number, send: (i: number) => Promise<number>): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = []
  const start = performance.now()
  let i = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        const t0 = performance.now()
        const status = await send(i++)
        samples.push({ ms: performance.now() - t0, status })
      }
    }),
  )
  return { samples, elapsedMs: performance.now() - start }
}

export async function openLoop(durationMs: number, ratePerSecond: number, send: (i: number) => Promise<number>): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = []
  const interval = 1000 / ratePerSecond
  const total = Math.floor((durationMs / 1000) * ratePerSecond)
  const start = performance.now()
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = start + i * interval
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    inFlight.push(
      send(i).then((status) => {
        samples.push({ ms: performance.now() - due, status })
      }),
    )
  }
  await Promise.all(inFlight)
  return { samples, elapsedMs: performance.now() - start }
}
