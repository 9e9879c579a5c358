CREATE TABLE `exports` (
	`id` text PRIMARY KEY NOT NULL,
	`project` text NOT NULL,
	`path` text NOT NULL,
	`rows` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `feature_stats` (
	`project` text NOT NULL,
	`view` text NOT NULL,
	`stats` text NOT NULL,
	`job_id` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`project`, `view`)
);
--> statement-breakpoint
CREATE TABLE `job_tasks` (
	`job_id` text NOT NULL,
	`task_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`output` text,
	`error` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`job_id`, `task_id`)
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`project` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`spec` text NOT NULL,
	`tasks_total` integer DEFAULT 0 NOT NULL,
	`tasks_done` integer DEFAULT 0 NOT NULL,
	`tasks_failed` integer DEFAULT 0 NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`estimated_rows` integer,
	`result` text,
	`errors` text NOT NULL,
	`created_at` text NOT NULL,
	`started_at` text,
	`completed_at` text
);
--> statement-breakpoint
CREATE INDEX `jobs_by_project` ON `jobs` (`project`,`kind`,`created_at`);--> statement-breakpoint
CREATE TABLE `offline_files` (
	`project` text NOT NULL,
	`source` text NOT NULL,
	`path` text NOT NULL,
	`rows` integer NOT NULL,
	`bytes` integer NOT NULL,
	`min_event_ts` integer NOT NULL,
	`max_event_ts` integer NOT NULL,
	`timestamp_column` text NOT NULL,
	`created_column` text,
	`origin` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`project`, `path`)
);
--> statement-breakpoint
CREATE INDEX `offline_files_by_source` ON `offline_files` (`project`,`source`,`max_event_ts`);