CREATE TABLE `offline_adopted_files` (
	`project` text NOT NULL,
	`source` text NOT NULL,
	`path` text NOT NULL,
	`bytes` integer NOT NULL,
	`rows` integer NOT NULL,
	`rows_done` integer NOT NULL,
	`rows_skipped` integer NOT NULL,
	`files` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `path`)
);
--> statement-breakpoint
CREATE TABLE `offline_sources` (
	`project` text NOT NULL,
	`source` text NOT NULL,
	`buckets` integer NOT NULL,
	`bucket_keys` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`project`, `source`)
);
--> statement-breakpoint
ALTER TABLE `offline_files` ADD `bucket` integer;--> statement-breakpoint
CREATE INDEX `offline_files_by_bucket` ON `offline_files` (`project`,`source`,`bucket`);