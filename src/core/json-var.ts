import { z } from 'zod'

/** A setting holding JSON: wrangler passes JSON vars as objects, `--var` passes them as strings; both are accepted. */
export const jsonVar = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value
    try {
      return JSON.parse(value) as unknown
    } catch {
      return value // not JSON: the schema rejects it with a readable message
    }
  }, schema)
