/** A request a scripted fetch received: its body as bytes and as text. */
export type RecordedRequest = { method: string; url: string; redirect: RequestInit['redirect']; headers: Headers; bytes: Uint8Array; body: string }

/**
 * A fetch for provider clients under test: it records every request and answers from a script,
 * in order (an Error is thrown, as a network failure would be); a request past the script fails.
 */
export function scriptedFetch(...answers: Array<Response | Error>): { fn: typeof fetch; calls: RecordedRequest[] } {
  const calls: RecordedRequest[] = []
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    const bytes = new Uint8Array(await req.arrayBuffer())
    calls.push({ method: req.method, url: req.url, redirect: init?.redirect, headers: req.headers, bytes, body: new TextDecoder().decode(bytes) })
    const next = answers.shift()
    if (next === undefined) throw new Error('scripted fetch: no answer left')
    if (next instanceof Error) throw next
    return next
  }) as typeof fetch
  return { fn, calls }
}
