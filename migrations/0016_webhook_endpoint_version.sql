-- Webhook endpoints get a version (their strong ETag), bumped by each owner's PATCH; existing ones start at 1.
ALTER TABLE `webhook_endpoints` ADD `version` integer DEFAULT 1 NOT NULL;