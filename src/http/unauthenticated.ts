import { Problem } from './problem'

/** RFC 6750: a 401 names the scheme the client should use. */
const bearerChallenge = { 'WWW-Authenticate': 'Bearer realm="souk"' }

/** The 401 problem, with its challenge header. */
export const unauthenticated = (detail = 'This route needs a bearer token'): Problem => new Problem(401, 'unauthenticated', detail, { headers: bearerChallenge })
