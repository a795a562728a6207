import { redact } from './redact'

/**
 * The one structured logger: a JSON object per line, with a level, a message and the trace id
 * its owner bound to it, every field redacted of secrets and personal data. The sink and the
 * clock are injected, so the logger itself is pure and tests can read what it wrote.
 */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof logLevels)[number]
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `fields` (e.g. `traceId`) to every line. */
  child(fields: LogFields): Logger
}

export type LoggerOptions = {
  sink: (line: string, level: LogLevel) => void
  now: () => Date
  level?: LogLevel
  base?: LogFields
  /** Fields read as each line is written (the current trace and span), over `base`. */
  context?: () => LogFields
}

export function createLogger({ sink, now, level = 'info', base = {}, context }: LoggerOptions): Logger {
  const threshold = logLevels.indexOf(level)
  const write = (lvl: LogLevel, msg: string, fields: LogFields = {}) => {
    if (logLevels.indexOf(lvl) < threshold) return
    // The line's own members come last: no field can overwrite the time, level or message.
    const line = { ...(redact({ ...base, ...context?.(), ...fields }) as LogFields), time: now().toISOString(), level: lvl, msg }
    sink(JSON.stringify(line), lvl)
  }
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ sink, now, level, base: { ...base, ...fields }, context }),
  }
}
