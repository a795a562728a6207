CREATE TABLE `notification_sends` (
	`notification_id` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`user_id` text NOT NULL,
	`outcome` text NOT NULL,
	`provider_ref` text,
	`detail` text,
	`at` text NOT NULL,
	PRIMARY KEY(`notification_id`, `channel`, `address`)
);
--> statement-breakpoint
CREATE INDEX `notification_sends_user_idx` ON `notification_sends` (`user_id`);--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`user_id` text PRIMARY KEY NOT NULL,
	`phone` text,
	`verified_at` text,
	`pending_phone` text,
	`code_hash` text,
	`code_sent_at` text,
	`code_expires_at` text,
	`code_attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_subscriptions_endpoint_unique` ON `push_subscriptions` (`endpoint`);--> statement-breakpoint
CREATE INDEX `push_subscriptions_user_idx` ON `push_subscriptions` (`user_id`,`created_at`);--> statement-breakpoint
DROP INDEX `dev_outbox_notification_channel_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `dev_outbox_notification_channel_recipient_unique` ON `dev_outbox` (`notification_id`,`channel`,`recipient`);--> statement-breakpoint
DROP INDEX `notifications_throttle_idx`;--> statement-breakpoint
ALTER TABLE `notifications` ADD `event_at` text;--> statement-breakpoint
CREATE INDEX `notifications_throttle_idx` ON `notifications` (`user_id`,`throttle_key`,`event_at`);--> statement-breakpoint
ALTER TABLE `notification_dispatches` ADD `claimed_until` text;--> statement-breakpoint
CREATE INDEX `webhook_messages_event_idx` ON `webhook_messages` (`event_id`);