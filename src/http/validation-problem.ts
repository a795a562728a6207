import type { OpenAPIHonoOptions } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { Problem, type FieldError } from './problem'

const locations = { json: 'body', query: 'query', param: 'path', header: 'header' } as const

/**
 * The `defaultHook` of every OpenAPIHono router: a request that fails its zod schema becomes one
 * 400 `validation_failed` problem listing each bad field, and the handler never runs.
 */
export const validationProblem: NonNullable<OpenAPIHonoOptions<AppEnv>['defaultHook']> = (result) => {
  if (result.success) return
  const where = locations[result.target as keyof typeof locations] ?? 'body'
  const errors: FieldError[] = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String)
    // An unknown field is reported at its own path, one entry each, not at its parent object's.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ in: where, path: [...path, key].join('.'), message: 'is not a known field' }))
    }
    return [{ in: where, path: path.join('.'), message: issue.message }]
  })
  throw new Problem(400, 'validation_failed', 'Some fields are missing or invalid', { errors })
}
