import WebSocket from 'ws'
import { baseUrl } from './client'

export type LiveMessage = { seq: number; type: string; data: Record<string, unknown> }

/** A WebSocket watcher of one listing that records every message and can wait for a seq. */
export class Watcher {
  readonly messages: LiveMessage[] = []
  private readonly socket: WebSocket
  readonly opened: Promise<void>

  constructor(listingId: string, since?: number) {
    const url = `${baseUrl().replace(/^http/, 'ws')}/v1/listings/${listingId}/live${since === undefined ? '' : `?since=${since}`}`
    this.socket = new WebSocket(url)
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve())
      this.socket.once('error', reject)
    })
    this.socket.on('message', (raw: Buffer) => {
      const text = raw.toString()
      if (text !== 'pong') this.messages.push(JSON.parse(text) as LiveMessage)
    })
  }

  get lastSeq(): number {
    return this.messages.at(-1)?.seq ?? 0
  }

  /** Resolves once a message with `seq` (or later) arrived; fails after `deadlineMs`. */
  async waitFor(seq: number, deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs
    while (this.lastSeq < seq) {
      if (Date.now() > until) throw new Error(`waited ${deadlineMs} ms for seq ${seq}; got up to ${this.lastSeq}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Sends `ping`; resolves with the answer that is not an event (the runtime's `pong`). */
  ping(deadlineMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to ping')), deadlineMs)
      const listener = (raw: Buffer) => {
        const text = raw.toString()
        if (text.startsWith('{')) return
        clearTimeout(timer)
        this.socket.off('message', listener)
        resolve(text)
      }
      this.socket.on('message', listener)
      this.socket.send('ping')
    })
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }
}
