import { afterEach, describe, expect, it, vi } from 'vitest'
import { developmentBindings } from '../../../scripts/development-vars'
import { retryWithBackoff } from '../../../src/platform/queue-retry'

const envScaled = (scale: string) => ({ ...developmentBindings(), QUEUE_RETRY_SCALE: scale }) as unknown as Env

function message(attempts: number) {
  const retry = vi.fn<(o?: QueueRetryOptions) => void>()
  return { msg: { id: 'm', timestamp: new Date(), body: {}, attempts, ack: vi.fn(), retry } as unknown as Message, retry }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('retryWithBackoff', () => {
  it('scales the jittered backoff by QUEUE_RETRY_SCALE', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1 - 2 ** -53)
    const { msg, retry } = message(4) // ceiling min(600, 5 · 2^3) = 40 s
    retryWithBackoff(msg, envScaled('0.5'), { baseSeconds: 5, capSeconds: 600 })
    expect(retry).toHaveBeenCalledWith({ delaySeconds: 20 })
  })

  it('waits at least a provider’s Retry-After, unscaled', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const { msg, retry } = message(1)
    retryWithBackoff(msg, envScaled('0.01'), { baseSeconds: 5, capSeconds: 600 }, 30)
    expect(retry).toHaveBeenCalledWith({ delaySeconds: 30 })
  })

  it('never asks the queue for more than its 12-hour maximum', () => {
    const { msg, retry } = message(1)
    retryWithBackoff(msg, envScaled('1'), { baseSeconds: 5, capSeconds: 600 }, 86_400)
    expect(retry).toHaveBeenCalledWith({ delaySeconds: 43_200 })
  })
})
