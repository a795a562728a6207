import { createMiddleware } from 'hono/factory'
import { settingsOf } from '../config'
import type { AppEnv } from '../env'
import { rootLogger } from '../platform/runtime'

/**
 * Parses the settings (once per isolate) and re-levels the request's logger. Invalid settings
 * throw `ConfigError`, which renders as 503 `service_misconfigured` and logs the names at fault.
 */
export const loadSettings = () =>
  createMiddleware<AppEnv>(async function loadSettings(c, next) {
    const settings = settingsOf(c.env)
    c.set('settings', settings)
    if (settings.logLevel !== 'info') {
      c.set('log', rootLogger(settings.logLevel, { requestId: c.var.requestId }))
    }
    await next()
  })
