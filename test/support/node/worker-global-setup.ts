import type { TestProject } from 'vitest/node'
import { startLocalSouk } from '../../../scripts/local-worker.ts'

/**
 * Starts the real worker once for the end-to-end and browser tests, as `npm start` would run it
 * (fresh state, migrations, demo seed, development settings), on a free loopback port. Tests
 * reach it over real HTTP at `inject('baseUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const souk = await startLocalSouk({ LOG_LEVEL: 'warn' })
  project.provide('baseUrl', souk.url)
  return souk.stop
}
