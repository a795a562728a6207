import { rootLogger } from '../platform/runtime'
import { userLiveStub } from './user-live-object'

export type LiveMessage = { type: string; data: unknown }

/**
 * Onto users' open sockets, one call per user whatever the number of messages, all users side by
 * side. A push that fails is logged and its user answered, for the caller to decide: the `live`
 * consumer retries its batch (clients drop repeats by what each message carries), the notices'
 * pushes are a courtesy beside the inbox, which is the record.
 */
export async function pushLive(env: Env, messages: { userId: string; message: LiveMessage }[]): Promise<string[]> {
  const byUser = new Map<string, LiveMessage[]>()
  for (const { userId, message } of messages) byUser.set(userId, [...(byUser.get(userId) ?? []), message])
  const failed = await Promise.all(
    [...byUser].map(async ([userId, list]) => {
      try {
        await userLiveStub(env, userId).pushAll(list)
        return []
      } catch (err) {
        rootLogger('warn').warn('live_push_failed', { userId, messages: list.length, types: [...new Set(list.map((m) => m.type))], err })
        return [userId]
      }
    }),
  )
  return failed.flat()
}
