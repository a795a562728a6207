import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

/**
 * `npm start` as a newcomer runs it, on a free PORT with a state directory of its own: its base URL,
 * everything it printed so far, and `stop` (the whole process group, as Ctrl-C would stop
 * npm → tsx → wrangler → workerd; the state directory goes with it).
 */
export async function npmStart(label: string): Promise<{ base: string; port: number; output: string[]; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort()
  const persist = mkdtempSync(join(tmpdir(), `souk-${label}-`))
  const output: string[] = []
  const child = spawn('npm', ['start'], { env: { ...process.env, PORT: String(port), SOUK_PERSIST_DIR: persist }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(-child.pid, 'SIGINT')
      const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))])
      if (!stopped) process.kill(-child.pid, 'SIGKILL')
    }
    rmSync(persist, { recursive: true, force: true })
  }
  return { base: `http://127.0.0.1:${port}`, port, output, child, stop }
}
