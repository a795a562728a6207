import { hmacSha256, toBase64Url, utf8 } from './bytes'

/**
 * A stable, keyed stand-in for a piece of personal data (an IP, an e-mail address): equal inputs
 * give equal pseudonyms, but without the key nobody can go back to the input or test a guess.
 * `purpose` separates uses, so one pseudonym cannot be linked to another of the same person.
 */
export async function pseudonym(key: string, purpose: string, value: string): Promise<string> {
  const mac = await hmacSha256(utf8(key), utf8(`${purpose}\u0000${value}`))
  return toBase64Url(mac.subarray(0, 16))
}
