import { formatId, idRandomBytes, type IdPrefix } from '../core/ids'
import { createLogger, type LogFields, type Logger, type LogLevel } from '../core/logger'
import { traceFields } from './tracing'

/**
 * The edge of the world for the pure core: the clock, randomness and the log sink. Everything
 * else receives these as values, so tests can pin time and read logs.
 */
export const systemClock = (): Date => new Date()

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}

export function newId(prefix: IdPrefix, now: Date = systemClock()): string {
  return formatId(prefix, now.getTime(), randomBytes(idRandomBytes))
}

/** Workers Logs index console output by level, so each line goes to the matching method. */
export function consoleSink(line: string, level: LogLevel): void {
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** A logger whose every line carries the trace and span it was written in (platform/tracing.ts). */
export function rootLogger(level: LogLevel, base: LogFields = {}): Logger {
  return createLogger({ sink: consoleSink, now: systemClock, level, base: { service: 'souk', ...base }, context: traceFields })
}
