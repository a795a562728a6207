CREATE TABLE `listings` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`price` integer NOT NULL,
	`ends_at` text,
	`last_seq` integer NOT NULL,
	`view` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `listings_status_idx` ON `listings` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `listings_seller_idx` ON `listings` (`seller_id`,`id`);--> statement-breakpoint
CREATE INDEX `listings_category_idx` ON `listings` (`category`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `offer_routes` (
	`offer_id` text PRIMARY KEY NOT NULL,
	`listing_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `watchlist` (
	`user_id` text NOT NULL,
	`listing_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `listing_id`)
);
--> statement-breakpoint
CREATE INDEX `watchlist_listing_idx` ON `watchlist` (`listing_id`);