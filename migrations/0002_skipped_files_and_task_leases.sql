CREATE TABLE `offline_skipped_files` (
	`project` text NOT NULL,
	`source` text NOT NULL,
	`path` text NOT NULL,
	`bytes` integer NOT NULL,
	`reason` text NOT NULL,
	`seen_at` text NOT NULL,
	PRIMARY KEY(`project`, `path`)
);
--> statement-breakpoint
ALTER TABLE `job_tasks` ADD `message` text;--> statement-breakpoint
ALTER TABLE `job_tasks` ADD `lease_until` text;--> statement-breakpoint
ALTER TABLE `job_tasks` ADD `resends` integer DEFAULT 0 NOT NULL;