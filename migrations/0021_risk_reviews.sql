CREATE TABLE `risk_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reasons` text NOT NULL,
	`score` integer,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`decided_at` text,
	`decided_by` text
);
--> statement-breakpoint
CREATE INDEX `risk_reviews_status_idx` ON `risk_reviews` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `risk_reviews_subject_idx` ON `risk_reviews` (`subject_id`);