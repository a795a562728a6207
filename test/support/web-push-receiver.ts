import { fromBase64, toBase64Url } from '../../src/core/bytes'
import type { PushSubscriptionKeys } from '../../src/notifications/web-push-client'

/**
 * The browser's side of web push, written from the RFCs with WebCrypto alone (Node 20 and workerd),
 * so a message the client builds is checked by code that shares nothing with the library that built it.
 */

const text = new TextEncoder()
const bytes = (s: string) => text.encode(s)

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function b64(s: string, what: string): Uint8Array {
  const decoded = fromBase64(s)
  if (!decoded) throw new Error(`${what}: not base64url`)
  return decoded
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, length * 8))
}

async function ecdhSecret(privateKey: CryptoKey, senderPublic: Uint8Array): Promise<Uint8Array> {
  const pub = await crypto.subtle.importKey('raw', senderPublic, { name: 'ECDH', namedCurve: 'P-256' }, false, [])
  // Not inline: workers-types spell the standard `public` member `$public`, and a variable skips that check.
  const algorithm = { name: 'ECDH', public: pub }
  return new Uint8Array(await crypto.subtle.deriveBits(algorithm, privateKey, 256))
}

async function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt'])
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce }, k, ciphertext))
}

export type BrowserSubscription = { keys: PushSubscriptionKeys; privateKey: CryptoKey; publicKey: Uint8Array; authSecret: Uint8Array }

/** What `pushManager.subscribe()` hands the page: an ECDH P-256 key pair and a 16-byte auth secret. */
export async function createBrowserSubscription(endpoint: string): Promise<BrowserSubscription> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
  const publicKey = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer)
  const authSecret = crypto.getRandomValues(new Uint8Array(16))
  return { keys: { endpoint, p256dh: toBase64Url(publicKey), auth: toBase64Url(authSecret) }, privateKey: pair.privateKey, publicKey, authSecret }
}

/**
 * RFC 8291 §3.3-3.4 over RFC 8188: the body carries salt(16) | rs(4) | idlen(1) | keyid (the
 * sender's 65-byte public key), then one record ending in the 0x02 delimiter and zero padding.
 */
export async function decryptAes128gcm(body: Uint8Array, privateKey: CryptoKey, publicKeyBytes: Uint8Array, authSecret: Uint8Array): Promise<string> {
  const salt = body.slice(0, 16)
  const rs = new DataView(body.buffer, body.byteOffset + 16, 4).getUint32(0)
  const idlen = body[20] as number
  if (idlen !== 65) throw new Error(`aes128gcm: keyid of ${idlen} bytes, expected the sender's 65-byte public key`)
  const senderPublic = body.slice(21, 21 + idlen)
  const record = body.slice(21 + idlen)
  if (record.length > rs) throw new Error('aes128gcm: more than one record')
  const ecdh = await ecdhSecret(privateKey, senderPublic)
  const ikm = await hkdf(authSecret, ecdh, concat(bytes('WebPush: info\0'), publicKeyBytes, senderPublic), 32)
  const cek = await hkdf(salt, ikm, bytes('Content-Encoding: aes128gcm\0'), 16)
  const nonce = await hkdf(salt, ikm, bytes('Content-Encoding: nonce\0'), 12)
  const plain = await aesGcmOpen(cek, nonce, record)
  let end = plain.length - 1
  while (end >= 0 && plain[end] === 0) end--
  if (plain[end] !== 0x02) throw new Error('aes128gcm: the last record lacks the 0x02 delimiter')
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(plain.slice(0, end))
}

export type VapidClaims = { aud: string; exp: number; sub: string }

/**
 * What a push service checks of `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292 §2-3): the key is
 * the one the subscription was made with, the ES256 signature (raw r || s) verifies with it, the
 * audience is the push service's origin and the token expires within 24 hours.
 */
export async function verifyVapidAuthorization(header: string, expectedAudience: string, publicKeyB64url: string, nowMs: number): Promise<VapidClaims> {
  const match = /^vapid\s+(.*)$/i.exec(header.trim())
  if (!match) throw new Error(`vapid: not a vapid authorization: ${header}`)
  const params = new Map(
    (match[1] as string).split(',').map((p) => {
      const at = p.indexOf('=')
      return [p.slice(0, at).trim(), p.slice(at + 1).trim()] as const
    }),
  )
  const token = params.get('t')
  const key = params.get('k')
  if (!token || !key) throw new Error('vapid: t= and k= are both required')
  if (key !== publicKeyB64url) throw new Error(`vapid: k=${key} is not the application server key`)
  const [head, claims, signature, ...rest] = token.split('.')
  if (head === undefined || claims === undefined || signature === undefined || rest.length > 0) throw new Error('vapid: t is not a JWS')
  const jose = JSON.parse(new TextDecoder().decode(b64(head, 'jwt header'))) as { alg?: unknown }
  if (jose.alg !== 'ES256') throw new Error(`vapid: alg ${String(jose.alg)}, expected ES256`)
  const sig = b64(signature, 'jwt signature')
  if (sig.length !== 64) throw new Error(`vapid: signature of ${sig.length} bytes, expected raw r || s (64)`)
  const pub = await crypto.subtle.importKey('raw', b64(key, 'k'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, sig, bytes(`${head}.${claims}`))
  if (!valid) throw new Error('vapid: the signature does not verify')
  const body = JSON.parse(new TextDecoder().decode(b64(claims, 'jwt claims'))) as Partial<VapidClaims>
  if (body.aud !== expectedAudience) throw new Error(`vapid: aud ${String(body.aud)}, expected ${expectedAudience}`)
  const now = nowMs / 1000
  if (typeof body.exp !== 'number' || body.exp <= now || body.exp > now + 24 * 3600) throw new Error(`vapid: exp ${String(body.exp)} is not within 24 h of now`)
  if (typeof body.sub !== 'string' || !/^(mailto:|https:)/.test(body.sub)) throw new Error(`vapid: sub ${String(body.sub)} is not mailto: or https:`)
  return { aud: body.aud, exp: body.exp, sub: body.sub }
}
