import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Copies the browser bundles the pages load into ./public/vendor (git-ignored), so wrangler serves
 * them from the Worker's own assets: /docs fetches nothing from a CDN and works offline. Runs on
 * every `npm install` / `npm ci` (postinstall), so `npm start`, the tests and `wrangler deploy` find them.
 * Paths, not `require.resolve`: the package's `exports` do not list its browser bundle.
 */
const bundles = [
  { from: 'node_modules/@scalar/api-reference/dist/browser/standalone.js', to: 'public/vendor/scalar/standalone.js' },
]

for (const { from, to } of bundles) {
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(from, to)
}
