ALTER TABLE `users` ADD `email_index` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_index_unique` ON `users` (`email_index`);