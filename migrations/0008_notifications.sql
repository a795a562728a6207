CREATE TABLE `dev_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`user_id` text NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`notification_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dev_outbox_notification_channel_unique` ON `dev_outbox` (`notification_id`,`channel`);--> statement-breakpoint
CREATE TABLE `notification_dispatches` (
	`notification_id` text NOT NULL,
	`user_id` text NOT NULL,
	`channel` text NOT NULL,
	`due_at` text NOT NULL,
	`digest` integer NOT NULL,
	`sent_at` text,
	PRIMARY KEY(`notification_id`, `channel`)
);
--> statement-breakpoint
CREATE INDEX `notification_dispatches_user_idx` ON `notification_dispatches` (`user_id`,`channel`,`sent_at`,`due_at`);--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`user_id` text PRIMARY KEY NOT NULL,
	`preferences` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`data` text NOT NULL,
	`event_id` text NOT NULL,
	`throttle_key` text,
	`in_app` integer NOT NULL,
	`created_at` text NOT NULL,
	`read_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_event_user_type_unique` ON `notifications` (`event_id`,`user_id`,`type`);--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_throttle_idx` ON `notifications` (`user_id`,`throttle_key`,`created_at`);