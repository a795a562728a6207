-- Search's sorts walk these from a page's cursor (docs/LISTINGS.md "Search"): price for price_asc and
-- price_desc, ends_at (auctions only, hence partial) for ending_soon; newest keeps listings_status_idx.
CREATE INDEX `listings_status_price_idx` ON `listings` (`status`,`price`,`id`);--> statement-breakpoint
CREATE INDEX `listings_status_ends_idx` ON `listings` (`status`,`ends_at`,`id`) WHERE "listings"."ends_at" IS NOT NULL;
