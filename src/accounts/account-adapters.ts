/**
 * The account object of one user, found by the user's id (which every token of theirs carries).
 * Kept apart from the object's class so middleware can reach accounts without loading the class.
 */
export const accountStub = (env: Env, userId: string) => env.ACCOUNTS.get(env.ACCOUNTS.idFromName(userId))
