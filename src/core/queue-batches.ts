/**
 * A queue takes at most 100 messages and 256 KB in one `sendBatch`. Souk stays under both, with
 * room for each message's own overhead, so no send is refused for its size.
 */
const MAX_MESSAGES = 100
const MAX_BYTES = 200 * 1024
const PER_MESSAGE_OVERHEAD = 256

const encoder = new TextEncoder()

/** Splits `items`, in order, into batches a queue accepts in one call (sizes in UTF-8 bytes of their JSON, as it counts). */
export function queueBatches<T>(items: readonly T[]): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = encoder.encode(JSON.stringify(item)).length + PER_MESSAGE_OVERHEAD
    if (current.length > 0 && (current.length >= MAX_MESSAGES || bytes + size > MAX_BYTES)) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}
