ALTER TABLE `order_events` ADD `event_id` text;--> statement-breakpoint
ALTER TABLE `order_events` ADD `published_at` text;--> statement-breakpoint
CREATE INDEX `order_events_unpublished_idx` ON `order_events` (`published_at`,`at`);