import { alertsStub } from './alerts-object'

/** Whether this isolate has asked the alerts object to run (a failed ask is asked again next time). */
let asked = false

/**
 * Keeps alert evaluation running: asks the alerts object, once per isolate, to arm its alarm if
 * none is set (cron never fires locally, and an alarm once armed re-arms itself). Never waits and
 * never throws: the ask runs in `waitUntil`.
 */
export function keepAlertsRunning(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
  if (asked) return
  asked = true
  waitUntil(
    alertsStub(env)
      .ensureRunning()
      .catch(() => {
        asked = false
      }),
  )
}
