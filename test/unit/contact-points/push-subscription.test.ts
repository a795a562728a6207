import { describe, expect, it } from 'vitest'
import { pushKeysProblem } from '../../../src/contact-points/push-subscription'
import { toBase64Url } from '../../../src/core/bytes'

const point = (first = 0x04, length = 65) => {
  const b = new Uint8Array(length).fill(7)
  b[0] = first
  return b
}
const auth = (length = 16) => toBase64Url(new Uint8Array(length).fill(9))

describe('pushKeysProblem', () => {
  it('takes an uncompressed P-256 point and a 16-byte secret, base64url or base64', () => {
    expect(pushKeysProblem({ p256dh: toBase64Url(point()), auth: auth() })).toBeNull()
    expect(pushKeysProblem({ p256dh: btoa(String.fromCharCode(...point())), auth: auth() })).toBeNull()
  })

  it.each([
    ['a compressed point', { p256dh: toBase64Url(point(0x02, 33)), auth: auth() }, /p256dh/],
    ['a point without its 0x04', { p256dh: toBase64Url(point(0x05)), auth: auth() }, /p256dh/],
    ['a short point', { p256dh: toBase64Url(point(0x04, 64)), auth: auth() }, /p256dh/],
    ['not base64', { p256dh: '!!!', auth: auth() }, /p256dh/],
    ['an 8-byte secret', { p256dh: toBase64Url(point()), auth: auth(8) }, /auth/],
    ['a 32-byte secret', { p256dh: toBase64Url(point()), auth: auth(32) }, /auth/],
  ])('refuses %s', (_name, keys, message) => {
    expect(pushKeysProblem(keys)).toMatch(message)
  })
})
