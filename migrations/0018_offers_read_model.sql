CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`listing_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`status` text NOT NULL,
	`last_seq` integer NOT NULL,
	`view` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `offers_buyer_idx` ON `offers` (`buyer_id`,`id`);--> statement-breakpoint
CREATE INDEX `offers_buyer_status_idx` ON `offers` (`buyer_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `offers_seller_idx` ON `offers` (`seller_id`,`id`);--> statement-breakpoint
CREATE INDEX `offers_seller_status_idx` ON `offers` (`seller_id`,`status`,`id`);