CREATE TABLE `poll_answers` (
	`delivery_id` text PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`user_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`score` integer NOT NULL,
	`comment` text,
	`answered_at` text NOT NULL,
	CONSTRAINT "poll_answers_score_check" CHECK("poll_answers"."score" between 0 and 10)
);
--> statement-breakpoint
CREATE INDEX `poll_answers_poll_score_idx` ON `poll_answers` (`poll_id`,`score`);--> statement-breakpoint
CREATE INDEX `poll_answers_user_idx` ON `poll_answers` (`user_id`);--> statement-breakpoint
CREATE TABLE `poll_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`user_id` text NOT NULL,
	`order_id` text NOT NULL,
	`event_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`delivered_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_deliveries_poll_user_order_unique` ON `poll_deliveries` (`poll_id`,`user_id`,`order_id`);--> statement-breakpoint
CREATE INDEX `poll_deliveries_user_idx` ON `poll_deliveries` (`user_id`,`id`);--> statement-breakpoint
CREATE TABLE `polls` (
	`id` text PRIMARY KEY NOT NULL,
	`question` text NOT NULL,
	`trigger` text NOT NULL,
	`audience` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	CONSTRAINT "polls_audience_check" CHECK("polls"."audience" in ('buyer', 'seller'))
);
--> statement-breakpoint
CREATE INDEX `polls_trigger_active_idx` ON `polls` (`trigger`,`active`);--> statement-breakpoint
CREATE TABLE `seller_poll_ratings` (
	`user_id` text PRIMARY KEY NOT NULL,
	`answer_count` integer NOT NULL,
	`score_sum` integer NOT NULL
);
