// The one Node API Souk uses, enabled by the `nodejs_als` compatibility flag (wrangler.toml):
// AsyncLocalStorage carries the current span through awaits, timers and waitUntil.
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R
    getStore(): T | undefined
  }
}
