import { toBase64Url } from '../../src/core/bytes'

/** A fresh VAPID key pair as scripts/vapid-keys.ts prints it (base64url public point and private scalar). */
export async function vapidKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const { d } = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
  if (!d) throw new Error('the private JWK has no d')
  return { publicKey: toBase64Url(new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer)), privateKey: d }
}
