import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { npmStart } from '../support/node/npm-start'

/**
 * The README's "Try it" commands, as a newcomer runs them: every ```sh block marked
 * `<!-- try-it -->`, in order, in one bash, against a fresh `npm start` on a free PORT. The only
 * change is the one the README asks for: `SOUK=` names that port. Each curl has `--fail-with-body`,
 * and bash runs with `set -eo pipefail`, so any error answer fails the script.
 */
function tryItBlocks(readme: string): string[] {
  return [...readme.matchAll(/^<!-- try-it -->\n```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '')
}

let souk: Awaited<ReturnType<typeof npmStart>> | undefined
let base = ''

beforeAll(async () => {
  souk = await npmStart('try-it')
  base = souk.base
  const { child, output } = souk
  // Up, and the demo data seeded (the mug the README buys, the lamp with a bid that comes last).
  const deadline = Date.now() + 110_000
  while (Date.now() < deadline && child.exitCode === null) {
    const seeded = await fetch(`${base}/v1/listings?q=lamp`).then(
      async (r) => r.ok && ((await r.json()) as { data: { bidCount?: number }[] }).data.some((l) => (l.bidCount ?? 0) > 0),
      () => false,
    )
    if (seeded) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`npm start did not come up with its demo data:\n${output.join('')}`)
}, 120_000)

afterAll(async () => {
  await souk?.stop()
}, 20_000)

it('the README marks its Try it blocks, and they start by naming the base URL', () => {
  const blocks = tryItBlocks(readFileSync('README.md', 'utf8'))
  expect(blocks).toHaveLength(2)
  expect(blocks[0]).toMatch(/^SOUK=http:\/\/localhost:8787 /)
  // Past that line every command says $SOUK, so naming the port once is enough.
  expect(blocks.join('').replace(/^SOUK=.*$/m, '')).not.toMatch(/localhost:\d|127\.0\.0\.1/)
})

it("the README's Try it commands run as written against a fresh npm start, and leave what it says", async () => {
  const blocks = tryItBlocks(readFileSync('README.md', 'utf8'))
  const script = blocks.join('').replace(/^SOUK=\S+/m, `SOUK=${base}`)
  // After the README's commands: what the test checks the final state with.
  const run = spawnSync('bash', ['-c', `set -eo pipefail\n${script}\nprintf '\\n%s %s %s\\n' "$LAMP" "$MUG" "$BOB"`], { encoding: 'utf8', timeout: 30_000 })
  expect(run.status, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0)
  expect(run.stderr).toBe('')

  const [lamp = '', mug = '', bob = ''] = run.stdout.trim().split('\n').at(-1)?.split(' ') ?? []
  expect(lamp).toMatch(/^lst_[0-9a-z]{26}$/)
  expect(mug).toMatch(/^lst_[0-9a-z]{26}$/)

  // The auction is listed a day ahead, and Bob's bid stands: he leads at the starting bid.
  const listing = (await (await fetch(`${base}/v1/listings/${lamp}`)).json()) as { title: string; status: string; bidCount: number; currentPrice: { amount: number }; endsAt: string }
  expect(listing).toMatchObject({ title: 'Brass lamp', status: 'active', bidCount: 1, currentPrice: { amount: 1000 } })
  expect(Date.parse(listing.endsAt) - Date.now()).toBeGreaterThan(23 * 3_600_000)
  const bids = (await (await fetch(`${base}/v1/listings/${lamp}/bids`, { headers: { authorization: `Bearer ${bob}` } })).json()) as { data: { mine: boolean }[] }
  expect(bids.data).toEqual([expect.objectContaining({ mine: true })])

  // Bob bought one mug and it is paid.
  const orders = (await (await fetch(`${base}/v1/orders`, { headers: { authorization: `Bearer ${bob}` } })).json()) as { data: { status: string; items: { listingId: string; quantity: number }[] }[] }
  expect(orders.data).toEqual([expect.objectContaining({ status: 'paid', items: [expect.objectContaining({ listingId: mug, quantity: 1 })] })])
}, 40_000)
