import { fromBase64, hmacSha256, toBase64Url, utf8 } from '../core/bytes'

/**
 * Keys derived from the client's Idempotency-Key (HKDF-SHA256, salted with the caller's scope):
 * one keys the request fingerprint, one seals the stored response with AES-GCM. The store keeps
 * only the fingerprint and the sealed blob, so a response that carries a secret (a session token,
 * an API key shown once) is unreadable at rest without the Idempotency-Key itself.
 */
export type KeyMaterial = { fingerprintKey: Uint8Array; sealKey: CryptoKey }

export async function deriveKeys(idempotencyKey: string, scope: string): Promise<KeyMaterial> {
  const ikm = await crypto.subtle.importKey('raw', utf8(idempotencyKey), 'HKDF', false, ['deriveBits'])
  const bits = (info: string) =>
    crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: utf8(scope), info: utf8(info) }, ikm, 256)
  const [fingerprintBits, sealBits] = await Promise.all([bits('souk idempotency fingerprint'), bits('souk idempotency seal')])
  const sealKey = await crypto.subtle.importKey('raw', sealBits, 'AES-GCM', false, ['encrypt', 'decrypt'])
  return { fingerprintKey: new Uint8Array(fingerprintBits), sealKey }
}

/** A keyed hash of what makes two requests "the same": method, path, and the body's bytes. */
export async function fingerprint(keys: KeyMaterial, method: string, path: string, body: Uint8Array): Promise<string> {
  const head = utf8(`${method} ${path}\n`)
  const message = new Uint8Array(head.length + body.length)
  message.set(head)
  message.set(body, head.length)
  return toBase64Url(await hmacSha256(keys.fingerprintKey, message))
}

export type StoredResponse = { status: number; headers: [string, string][]; body: string }

export async function seal(keys: KeyMaterial, response: StoredResponse, iv: Uint8Array): Promise<string> {
  const plaintext = utf8(JSON.stringify(response))
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keys.sealKey, plaintext))
  return `${toBase64Url(iv)}.${toBase64Url(ciphertext)}`
}

/** Opens a sealed response; undefined when it was not sealed under these keys. */
export async function unseal(keys: KeyMaterial, sealed: string): Promise<StoredResponse | undefined> {
  const [ivText, dataText] = sealed.split('.')
  const iv = ivText ? fromBase64(ivText) : undefined
  const data = dataText ? fromBase64(dataText) : undefined
  if (!iv || !data) return undefined
  try {
    const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, keys.sealKey, data)
    return JSON.parse(new TextDecoder().decode(plaintext)) as StoredResponse
  } catch (err) {
    if (err instanceof DOMException && err.name === 'OperationError') return undefined // wrong key or tampered
    throw err
  }
}
