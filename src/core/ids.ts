/**
 * Prefixed, sortable ids: `usr_01hx…`. The body is a ULID (48-bit millisecond time, 80 random
 * bits) in lower-case Crockford base32, so ids sort by creation time as plain strings.
 * Pure: the caller passes the time and the random bytes.
 */
export const idPrefixes = ['usr', 'ses', 'key', 'req', 'lst', 'ord', 'pay', 'evt', 'ofr', 'bid', 'txn', 'pyo', 'job', 'whe', 'msg', 'dlq', 'ntf', 'obx', 'psh', 'vrf', 'rsk', 'img', 'pol', 'pdv'] as const
export type IdPrefix = (typeof idPrefixes)[number]

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'
const timeChars = 10
const randomBytesLength = 10

export function formatId(prefix: IdPrefix, timeMs: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) throw new RangeError('time out of range')
  if (random.length !== randomBytesLength) throw new RangeError(`needs ${randomBytesLength} random bytes`)
  let time = ''
  let t = timeMs
  for (let i = 0; i < timeChars; i++) {
    time = alphabet[t % 32] + time
    t = Math.floor(t / 32)
  }
  return `${prefix}_${time}${encodeRandom(random)}`
}

/**
 * An id derived from 16 bytes of a digest rather than minted: the same format as every id, so it
 * passes the same checks, but its time part is meaningless (it does not sort by creation).
 */
export function derivedId(prefix: IdPrefix, digest: Uint8Array): string {
  if (digest.length < 16) throw new RangeError('needs 16 bytes')
  const time = digest.subarray(0, 6).reduce((t, byte) => t * 256 + byte, 0)
  return formatId(prefix, time, digest.subarray(6, 16))
}

/** 80 bits → 16 base32 characters, most significant first. */
function encodeRandom(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += alphabet[(buffer >> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  return out
}

const idPattern = /^([a-z]{2,4})_[0-9a-hjkmnp-tv-z]{26}$/

/** True when `value` is an id with the given prefix (for route params and foreign keys). */
export function isId(value: string, prefix: IdPrefix): boolean {
  const match = idPattern.exec(value)
  return match !== null && match[1] === prefix
}

/** The creation time encoded in an id, for ordering and diagnostics. */
export function idTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 1 + timeChars)
  let t = 0
  for (const ch of body) t = t * 32 + alphabet.indexOf(ch)
  return t
}

export const idRandomBytes = randomBytesLength
