import { toBase64Url } from '../src/core/bytes.ts'

/**
 * Prints a fresh VAPID key pair (RFC 8292) for web push: `npx tsx scripts/vapid-keys.ts`. Put the
 * public key in VAPID_PUBLIC_KEY (a var: browsers get it from GET /v1/me/push-subscriptions) and
 * the private key in the VAPID_PRIVATE_KEY secret (`wrangler secret put VAPID_PRIVATE_KEY`).
 * Changing the pair orphans every browser subscription made with the old public key.
 */
const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
const { d } = await crypto.subtle.exportKey('jwk', pair.privateKey)
console.log(`VAPID_PUBLIC_KEY=${toBase64Url(publicKey)}`)
console.log(`VAPID_PRIVATE_KEY=${d ?? ''}`)
