import { call, json, type Registered } from './api'

/** Polls `read` until `check` holds (at most `ms`). */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const verificationStatus = async (u: Registered): Promise<string> => (await json<{ status: string }>(await call('/v1/me/verification', { token: u.token }))).status

/**
 * Drives the sandbox identity provider to an outcome for `u`: starts a verification, then waits
 * for the sandbox's delayed job to post its signed event to the webhook (IDENTITY_SANDBOX_SECONDS,
 * 1 s locally). The sandbox verifies everyone whose display name has no "reject" in it.
 */
export async function verifySeller(u: Registered, expect: 'verified' | 'rejected' = 'verified'): Promise<void> {
  const res = await call('/v1/me/verification', { method: 'POST', token: u.token })
  if (res.status !== 201) throw new Error(`starting verification failed: ${res.status} ${await res.text()}`)
  await until(() => verificationStatus(u), (s) => s === expect)
}
