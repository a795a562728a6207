-- Sessions and API keys now live in each user's account object (src/accounts/account-object.ts), the
-- authority that authentication asks instead of D1. Tokens issued before this migration name no
-- user and stop working: users log in again and integrators re-create their API keys.
DROP TABLE `api_keys`;--> statement-breakpoint
DROP TABLE `sessions`;