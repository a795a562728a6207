import type { Context } from 'hono'

/**
 * The caller's IP as Cloudflare saw it. In production the edge overwrites `CF-Connecting-IP`, so
 * a client cannot choose it; locally wrangler sets it to the loopback address.
 */
export const clientIp = (c: Context): string => c.req.header('cf-connecting-ip') ?? 'unknown'
