import { toBase64Url, utf8 } from './bytes'

/**
 * A stable, keyed stand-in for a piece of personal data (an IP, an e-mail address): equal inputs
 * give equal pseudonyms, but without the key nobody can go back to the input or test a guess.
 * `purpose` separates uses, so one pseudonym cannot be linked to another of the same person.
 */
export async function pseudonym(key: string, purpose: string, value: string): Promise<string> {
  return toBase64Url(await keyedDigest(key, purpose, value))
}

/** The 16 bytes behind a pseudonym: HMAC-SHA256 of `purpose` and `value` under `key`, truncated. */
async function keyedDigest(key: string, purpose: string, value: string): Promise<Uint8Array> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(key), utf8(`${purpose}\u0000${value}`))
  return new Uint8Array(mac).subarray(0, 16)
}

/**
 * Imported keys, by secret: importing costs more than signing, and the secret rarely changes. The
 * key is kept once imported, never the import's promise, so no request waits on another's work.
 */
const keys = new Map<string, CryptoKey>()

async function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    keys.set(secret, key)
  }
  return key
}
