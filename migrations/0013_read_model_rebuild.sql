CREATE TABLE `listing_registry` (
	`id` text PRIMARY KEY NOT NULL,
	`registered_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `read_model_rebuilds` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`chunk_size` integer NOT NULL,
	`total` integer NOT NULL,
	`step` integer NOT NULL,
	`cursor` text,
	`processed` integer NOT NULL,
	`missing` integer NOT NULL,
	`lease_until` text,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `read_model_rebuilds_one_running` ON `read_model_rebuilds` (`status`) WHERE status = 'running';--> statement-breakpoint
-- Hand-written. The listing registry is filled by a trigger on each first insert into the read
-- model: the route that creates a listing projects it before answering, and the projection
-- consumer's first upsert covers a listing whose route could not (an upsert that updates fires
-- no AFTER INSERT trigger). A migration that rebuilds `listings` drops this trigger with it and
-- must create it again. Then the backfill: every listing the read model holds now.
CREATE TRIGGER `listing_registry_insert` AFTER INSERT ON `listings` BEGIN
	INSERT OR IGNORE INTO listing_registry (id, registered_at) VALUES (new.id, new.created_at);
END;
--> statement-breakpoint
INSERT OR IGNORE INTO `listing_registry` (id, registered_at) SELECT id, created_at FROM `listings`;
