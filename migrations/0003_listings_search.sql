-- Full-text search over the listing read model (FTS5, external content: the text lives once, in
-- `listings`). Triggers keep the index in step with every insert, update and delete. External
-- content is addressed by rowid: never rebuild `listings` (drizzle-kit's copy-and-rename) without
-- rebuilding this index too (`INSERT INTO listings_fts(listings_fts) VALUES ('rebuild')`).
CREATE VIRTUAL TABLE `listings_fts` USING fts5(
	title,
	description,
	content='listings',
	content_rowid='rowid',
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `listings_fts_insert` AFTER INSERT ON `listings` BEGIN
	INSERT INTO listings_fts (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `listings_fts_delete` AFTER DELETE ON `listings` BEGIN
	INSERT INTO listings_fts (listings_fts, rowid, title, description) VALUES ('delete', old.rowid, old.title, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `listings_fts_update` AFTER UPDATE OF title, description ON `listings`
WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
	INSERT INTO listings_fts (listings_fts, rowid, title, description) VALUES ('delete', old.rowid, old.title, old.description);
	INSERT INTO listings_fts (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;
