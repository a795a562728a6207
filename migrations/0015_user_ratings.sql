CREATE TABLE `user_ratings` (
	`user_id` text PRIMARY KEY NOT NULL,
	`review_count` integer NOT NULL,
	`rating_sum` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reviews_subject_created_idx` ON `reviews` (`subject_id`,`created_at`,`order_id`);--> statement-breakpoint
-- Backfill: every review written before this migration counts toward its subject's rating.
INSERT INTO `user_ratings` (`user_id`, `review_count`, `rating_sum`) SELECT `subject_id`, count(*), sum(`rating`) FROM `reviews` GROUP BY `subject_id`;
