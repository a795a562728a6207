import { rootLogger } from '../platform/runtime'
import { userLiveStub } from './user-live-object'

/**
 * Best effort onto a user's open sockets: the inbox and GET /v1/orders are the record, so a push
 * that fails is logged, never retried. Messages carry what a client needs to drop a repeat.
 */
export async function pushLive(env: Env, userId: string, message: { type: string; data: unknown }): Promise<void> {
  try {
    await userLiveStub(env, userId).push(message)
  } catch (err) {
    rootLogger('warn').warn('live_push_failed', { userId, type: message.type, err })
  }
}
