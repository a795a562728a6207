/**
 * Phone numbers in E.164 (`+` country code and subscriber number, at most 15 digits), the form SMS
 * providers take. People type spaces, dashes, dots and brackets; those go. A number without its
 * `+` country code is refused rather than guessed at: Souk does not know which country is meant.
 */
const E164 = /^\+[1-9]\d{6,14}$/

export function normalizePhone(raw: string): string | null {
  const compact = raw.trim().replace(/[\s\-.()]/g, '')
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact
  return E164.test(international) ? international : null
}

