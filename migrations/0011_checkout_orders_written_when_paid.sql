CREATE TABLE `abandoned_checkouts` (
	`order_id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
DROP INDEX `orders_buyer_idx`;--> statement-breakpoint
DROP INDEX `orders_seller_idx`;--> statement-breakpoint
CREATE INDEX `orders_buyer_created_idx` ON `orders` (`buyer_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_seller_created_idx` ON `orders` (`seller_id`,`created_at`,`id`);