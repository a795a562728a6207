import { z } from '@hono/zod-openapi'

/**
 * User text as every route takes it. No control characters (`\p{Cc}`: escaped six bytes each in
 * every event and export, and invisible in any page) and no unpaired UTF-16 surrogate halves
 * (`\p{Cs}` under the `u` flag matches only those: they are not Unicode text, and JSON parsers,
 * databases and other languages refuse or mangle them). A paired surrogate (an emoji) is one
 * ordinary character. The patterns are published as they are (ECMAScript, `u` flag).
 */

/** One line: trimmed, 1 to `max` characters. */
export const textLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}\p{Cs}]+$/u, 'must not contain control characters or unpaired surrogates')

/** Several lines: line breaks and tabs are text; up to `max` characters, empty allowed. */
export const textBlock = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^(?:[^\p{Cc}\p{Cs}]|[\n\r\t])*$/u, 'must not contain control characters other than line breaks and tabs, or unpaired surrogates')
