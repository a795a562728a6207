import { describe, expect, it } from 'vitest'
import { createLogger, logLevels, type LogLevel, type LoggerOptions } from '../../../src/core/logger'

const NOW = new Date('2030-01-02T03:04:05.678Z')

function capture(options: Partial<LoggerOptions> = {}) {
  const written: { line: string; level: LogLevel }[] = []
  const log = createLogger({ sink: (line, level) => written.push({ line, level }), now: () => NOW, ...options })
  const entries = () => written.map((w) => JSON.parse(w.line) as Record<string, unknown>)
  return { log, written, entries }
}

describe('createLogger', () => {
  it('writes one JSON object per call, on a single line, with time from the injected clock', () => {
    const { log, written, entries } = capture()
    log.info('listing_created', { listingId: 'lst_1', quantity: 3 })
    expect(written).toHaveLength(1)
    expect(written[0]?.line).not.toContain('\n')
    expect(written[0]?.level).toBe('info')
    expect(entries()).toEqual([{ time: '2030-01-02T03:04:05.678Z', level: 'info', msg: 'listing_created', listingId: 'lst_1', quantity: 3 }])
  })

  it('reads the clock on every line', () => {
    let t = 0
    const lines: string[] = []
    const log = createLogger({ sink: (line) => lines.push(line), now: () => new Date(t) })
    log.info('first')
    t = 60_000
    log.info('second')
    expect(lines.map((l) => (JSON.parse(l) as { time: string }).time)).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-01T00:01:00.000Z'])
  })

  it('keeps a newline inside a message on the same line, escaped', () => {
    const { log, written, entries } = capture()
    log.warn('line one\nline two')
    expect(written[0]?.line.split('\n')).toHaveLength(1)
    expect(entries()[0]?.msg).toBe('line one\nline two')
  })

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at level %s writes only %j', (level, expected) => {
    const { log, entries } = capture({ level })
    for (const lvl of logLevels) log[lvl](`at ${lvl}`)
    expect(entries().map((e) => e.level)).toEqual(expected)
    expect(entries().map((e) => e.msg)).toEqual(expected.map((l) => `at ${l}`))
  })

  it('defaults to info', () => {
    const { log, entries } = capture()
    log.debug('hidden')
    log.info('shown')
    expect(entries().map((e) => e.msg)).toEqual(['shown'])
  })

  it('passes the level to the sink, so a sink can route errors', () => {
    const { log, written } = capture({ level: 'debug' })
    log.error('e')
    log.debug('d')
    expect(written.map((w) => w.level)).toEqual(['error', 'debug'])
  })

  it('adds its base fields and a child’s fields to every line, and the call’s fields win', () => {
    const { log, entries } = capture({ base: { service: 'souk' } })
    const child = log.child({ traceId: 'abc', route: '/v1/a' })
    const grandchild = child.child({ route: '/v1/b' })
    child.info('one', { extra: 1 })
    grandchild.info('two')
    grandchild.info('three', { route: '/v1/c' })
    log.info('parent')
    expect(entries()).toEqual([
      { time: NOW.toISOString(), level: 'info', msg: 'one', service: 'souk', traceId: 'abc', route: '/v1/a', extra: 1 },
      { time: NOW.toISOString(), level: 'info', msg: 'two', service: 'souk', traceId: 'abc', route: '/v1/b' },
      { time: NOW.toISOString(), level: 'info', msg: 'three', service: 'souk', traceId: 'abc', route: '/v1/c' },
      { time: NOW.toISOString(), level: 'info', msg: 'parent', service: 'souk' },
    ])
  })

  it('keeps its level in a child', () => {
    const { log, entries } = capture({ level: 'warn' })
    log.child({ traceId: 't' }).info('hidden')
    log.child({ traceId: 't' }).warn('shown')
    expect(entries().map((e) => e.msg)).toEqual(['shown'])
  })

  it('never writes a password, a token or an e-mail address to the sink', () => {
    const { log, written, entries } = capture({ level: 'debug' })
    const token = 'st_Xk3v9QeLrT0pW8yZbN2mC5dF7gH1jK4sA6uV0wE2rT4'
    log.child({ email: 'ana@example.com' }).info('login', { password: 'correct horse battery', user: { password: 'hunter22' } })
    log.error('failed', { err: new Error(`bad token ${token}`), note: 'for ana@example.com' })
    const all = written.map((w) => w.line).join('\n')
    for (const secret of ['correct horse battery', 'hunter22', token, 'ana@example.com']) expect(all).not.toContain(secret)
    expect(entries()[0]).toMatchObject({ email: '[redacted]', password: '[redacted]', user: { password: '[redacted]' } })
    expect(entries()[1]).toMatchObject({ err: { name: 'Error', message: 'bad token [secret]' }, note: 'for [email]' })
  })

  describe('context', () => {
    it('reads the context at each write, not once', () => {
      let traceId = 'trace-a'
      const { log, entries } = capture({ context: () => ({ traceId }) })
      log.info('one')
      traceId = 'trace-b'
      log.info('two')
      expect(entries().map((e) => e.traceId)).toEqual(['trace-a', 'trace-b'])
    })

    it('writes no context fields when the context gives none (outside a trace)', () => {
      const { log, entries } = capture({ base: { service: 'souk' }, context: () => ({}) })
      log.info('plain')
      expect(entries()).toEqual([{ time: NOW.toISOString(), level: 'info', msg: 'plain', service: 'souk' }])
    })

    it('is over the base fields and under the call’s own fields', () => {
      const { log, entries } = capture({ base: { service: 'souk', traceId: 'bound-at-start', spanId: 'base-span' }, context: () => ({ traceId: 'current', spanId: 'current-span' }) })
      log.info('context wins over base')
      log.info('the call wins over context', { spanId: 'explicit' })
      expect(entries()).toEqual([
        { time: NOW.toISOString(), level: 'info', msg: 'context wins over base', service: 'souk', traceId: 'current', spanId: 'current-span' },
        { time: NOW.toISOString(), level: 'info', msg: 'the call wins over context', service: 'souk', traceId: 'current', spanId: 'explicit' },
      ])
    })

    it('survives child(): a child reads the same context at each write, over its own fields', () => {
      let spanId = 's1'
      const { log, entries } = capture({ context: () => ({ spanId }) })
      const child = log.child({ listingId: 'lst_1', spanId: 'child-field' })
      child.warn('first')
      spanId = 's2'
      child.child({ extra: true }).warn('second')
      expect(entries()).toEqual([
        { time: NOW.toISOString(), level: 'warn', msg: 'first', listingId: 'lst_1', spanId: 's1' },
        { time: NOW.toISOString(), level: 'warn', msg: 'second', listingId: 'lst_1', extra: true, spanId: 's2' },
      ])
    })

    it('is not read for a line under the level, and its fields are redacted like any other', () => {
      let reads = 0
      const { log, written } = capture({
        level: 'warn',
        context: () => {
          reads++
          return { email: 'ana@example.com' }
        },
      })
      log.info('hidden')
      expect(reads).toBe(0)
      log.warn('shown')
      expect(reads).toBe(1)
      expect(written[0]?.line).not.toContain('ana@example.com')
    })
  })
})
