import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { developmentBindings, localQueueConsumers } from './scripts/development-vars.ts'

/**
 * Three levels, one command (`npm test` runs them in order after typecheck and lint):
 *   unit         pure core in Node: plain and property tests
 *   integration  inside workerd with the real bindings (D1 with migrations, objects, queues)
 *   e2e          the real worker on a port, called over HTTP from Node, and pages in Chromium
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  return {
    test: {
      projects: [
        {
          test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                // LIVE_SOCKETS_PER_IP: the watchers of the fan-out tests all come from one address (a test that
                // means to reach the cap passes a smaller one); an address each would be a limiter object each.
                bindings: { ...developmentBindings(), LOG_LEVEL: 'warn', TEST_MIGRATIONS: migrations, LIVE_SOCKETS_PER_IP: '10000' },
                queueConsumers: localQueueConsumers(0.05),
              },
            }),
          ],
          test: {
            name: 'integration',
            include: ['test/integration/**/*.test.ts'],
            setupFiles: ['./test/integration/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
            environment: 'node',
            globalSetup: ['./test/support/node/worker-global-setup.ts'],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  }
})
