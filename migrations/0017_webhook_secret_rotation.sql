-- Secret rotation: the replaced secret and when it stops signing. Columns only; webhook_messages keep referencing the table.
ALTER TABLE `webhook_endpoints` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret_expires_at` text;