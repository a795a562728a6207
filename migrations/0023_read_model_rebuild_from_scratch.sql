ALTER TABLE `read_model_rebuilds` ADD `from_scratch` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `read_model_rebuilds` ADD `phase` text DEFAULT 'walking' NOT NULL;--> statement-breakpoint
ALTER TABLE `read_model_rebuilds` ADD `cleared` integer DEFAULT 0 NOT NULL;