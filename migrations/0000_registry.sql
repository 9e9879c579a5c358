CREATE TABLE `data_sources` (
	`project` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`path` text,
	`file_format` text,
	`timestamp_field` text,
	`created_timestamp_column` text,
	`batch_source` text,
	`description` text DEFAULT '' NOT NULL,
	`tags` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `name`)
);
--> statement-breakpoint
CREATE TABLE `entities` (
	`project` text NOT NULL,
	`name` text NOT NULL,
	`join_keys` text NOT NULL,
	`value_types` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`tags` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `name`)
);
--> statement-breakpoint
CREATE TABLE `feature_services` (
	`project` text NOT NULL,
	`name` text NOT NULL,
	`features` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`tags` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `name`)
);
--> statement-breakpoint
CREATE TABLE `feature_views` (
	`project` text NOT NULL,
	`name` text NOT NULL,
	`entities` text NOT NULL,
	`features` text NOT NULL,
	`source` text NOT NULL,
	`ttl_seconds` integer NOT NULL,
	`online` integer NOT NULL,
	`tags` text NOT NULL,
	`schedule` text,
	`description` text DEFAULT '' NOT NULL,
	`materialized_start` text,
	`materialized_end` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `name`)
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`name` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL
);
