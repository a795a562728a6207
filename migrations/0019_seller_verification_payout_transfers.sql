CREATE TABLE `seller_verifications` (
	`user_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`provider` text NOT NULL,
	`session_id` text,
	`url` text,
	`attempts` integer NOT NULL,
	`last_error` text,
	`payout_account` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`verified_at` text,
	CONSTRAINT "seller_verifications_status_check" CHECK("seller_verifications"."status" in ('pending', 'verified', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE `ledger_transactions` ADD `payout_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transactions_payout_kind_unique` ON `ledger_transactions` (`payout_id`,`kind`);--> statement-breakpoint
ALTER TABLE `payouts` ADD `updated_at` text;--> statement-breakpoint
ALTER TABLE `payouts` ADD `transfer_reference` text;--> statement-breakpoint
ALTER TABLE `payouts` ADD `failure_code` text;--> statement-breakpoint
CREATE INDEX `payouts_status_idx` ON `payouts` (`status`,`id`);