import { rootLogger } from '../platform/runtime'
import { userLiveStub } from './user-live-object'

export type LiveMessage = { type: string; data: unknown }

/**
 * Best effort onto users' open sockets: the inbox and GET /v1/orders are the record, so a push
 * that fails is logged, never retried. Messages carry what a client needs to drop a repeat. One
 * call per user, whatever the number of messages, all users side by side.
 */
export async function pushLive(env: Env, messages: { userId: string; message: LiveMessage }[]): Promise<void> {
  const byUser = new Map<string, LiveMessage[]>()
  for (const { userId, message } of messages) byUser.set(userId, [...(byUser.get(userId) ?? []), message])
  await Promise.all(
    [...byUser].map(async ([userId, list]) => {
      try {
        await userLiveStub(env, userId).pushAll(list)
      } catch (err) {
        rootLogger('warn').warn('live_push_failed', { userId, messages: list.length, types: [...new Set(list.map((m) => m.type))], err })
      }
    }),
  )
}
