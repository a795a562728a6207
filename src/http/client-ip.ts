import type { Context } from 'hono'
import { pseudonym } from '../core/pseudonym'
import type { AppEnv } from '../env'

/**
 * The caller's IP as Cloudflare saw it. In production the edge overwrites `CF-Connecting-IP`, so
 * a client cannot choose it; locally wrangler sets it to the loopback address.
 */
export const clientIp = (c: Context): string => c.req.header('cf-connecting-ip') ?? 'unknown'

/** The caller's IP as counters and scopes see it: a keyed pseudonym, never the address. */
export const clientIpSubject = async (c: Context<AppEnv>): Promise<string> =>
  `ip:${await pseudonym(c.var.settings.pseudonymKey, 'ip', clientIp(c))}`
