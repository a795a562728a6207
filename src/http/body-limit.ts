import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { Problem } from './problem'

export const MAX_BODY_BYTES = 64 * 1024

/**
 * Refuses bodies over 64 KiB with 413 `payload_too_large`, by `Content-Length` when declared and
 * by counting the stream when not, before anything reads or stores them.
 */
export const bodyLimit = (maxSize = MAX_BODY_BYTES) =>
  honoBodyLimit({
    maxSize,
    onError: () => {
      throw new Problem(413, 'payload_too_large', `The body must be at most ${maxSize} bytes`)
    },
  })
