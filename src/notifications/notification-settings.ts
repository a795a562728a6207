import { z } from 'zod'
import { jsonVar } from '../core/json-var'
import { rateLimitPolicySchema, type RateLimitPolicy } from '../rate-limits/rate-limit-policy'
import { isVapidSubject, vapidKeysProblem } from './vapid-keys'

/**
 * How notices leave Souk, parsed with the rest of the settings (config.ts). `outbox` (local runs)
 * puts every e-mail, SMS and push in the development outbox; `providers` sends through each
 * channel's provider, and a channel whose provider is not configured is simply not offered (no
 * notice is planned for it). Each provider is all or nothing: half its settings is an error.
 */
export const notificationVars = {
  NOTIFICATION_DELIVERY: z.enum(['outbox', 'providers']).default('providers'),
  EMAIL_FROM: z.string().min(3).default('Souk <notifications@souk.example>'),
  RESEND_API_BASE: z.url().default('https://api.resend.com'),
  RESEND_API_KEY: z.string().min(1).optional(),
  TWILIO_API_BASE: z.url().default('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC…)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  /** An E.164 sender number, or a Messaging Service SID (MG…) that picks the sender itself. */
  SMS_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number or a Messaging Service SID (MG…)').optional(),
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().refine(isVapidSubject, 'must be a mailto: or https: URL').optional(),
  /** Per provider: Resend allows 2 requests/s by default, a Twilio long code sends 1 SMS/s; push services are roomier. */
  NOTIFICATION_RATE_LIMITS: jsonVar(z.strictObject({ email: rateLimitPolicySchema, sms: rateLimitPolicySchema, push: rateLimitPolicySchema })).default({ email: { limit: 2, windowSeconds: 1 }, sms: { limit: 1, windowSeconds: 1 }, push: { limit: 100, windowSeconds: 1 } }),
}

type Vars = z.infer<z.ZodObject<typeof notificationVars>>

export type NotificationSettings = {
  delivery: 'outbox' | 'providers'
  email: { apiBase: string; apiKey: string; from: string } | null
  sms: { apiBase: string; accountSid: string; authToken: string; from: string } | null
  push: { publicKey: string; privateKey: string; subject: string } | null
  rateLimits: Record<'email' | 'sms' | 'push', RateLimitPolicy>
}

/** The problems with these settings in `environment`, as (setting, message) pairs. */
export function notificationSettingsProblems(v: Vars, environment: 'production' | 'development'): Array<[keyof Vars, string]> {
  const problems: Array<[keyof Vars, string]> = []
  if (environment === 'production' && v.NOTIFICATION_DELIVERY === 'outbox') problems.push(['NOTIFICATION_DELIVERY', 'the development outbox does not exist in production'])
  const allOrNothing = (names: Array<keyof Vars>) => {
    const missing = names.filter((n) => v[n] === undefined)
    if (missing.length > 0 && missing.length < names.length) for (const n of missing) problems.push([n, `needed with ${names.filter((m) => !missing.includes(m)).join(', ')}`])
  }
  allOrNothing(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMS_FROM'])
  allOrNothing(['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'])
  if (v.VAPID_PUBLIC_KEY !== undefined && v.VAPID_PRIVATE_KEY !== undefined) {
    const problem = vapidKeysProblem(v.VAPID_PUBLIC_KEY, v.VAPID_PRIVATE_KEY)
    if (problem) problems.push([problem.startsWith('VAPID_PUBLIC_KEY') ? 'VAPID_PUBLIC_KEY' : 'VAPID_PRIVATE_KEY', problem])
  }
  return problems
}

export function notificationSettings(v: Vars): NotificationSettings {
  return {
    delivery: v.NOTIFICATION_DELIVERY,
    email: v.RESEND_API_KEY ? { apiBase: v.RESEND_API_BASE, apiKey: v.RESEND_API_KEY, from: v.EMAIL_FROM } : null,
    sms:
      v.TWILIO_ACCOUNT_SID && v.TWILIO_AUTH_TOKEN && v.SMS_FROM
        ? { apiBase: v.TWILIO_API_BASE, accountSid: v.TWILIO_ACCOUNT_SID, authToken: v.TWILIO_AUTH_TOKEN, from: v.SMS_FROM }
        : null,
    push: v.VAPID_PUBLIC_KEY && v.VAPID_PRIVATE_KEY && v.VAPID_SUBJECT ? { publicKey: v.VAPID_PUBLIC_KEY, privateKey: v.VAPID_PRIVATE_KEY, subject: v.VAPID_SUBJECT } : null,
    rateLimits: v.NOTIFICATION_RATE_LIMITS,
  }
}
