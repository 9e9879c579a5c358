/**
 * `larder init DIR`: a small feature repo of its own, ready for
 * `larder apply`: larder.yaml, commented YAML definitions, and sample data
 * whose timestamps end at the moment of `init` (so a materialization and an
 * online read right after find values within the views' ttl).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { CONFIG_FILE, DEFAULT_URL } from "./context";
import { CliError } from "./errors";

const HOUR = 3_600_000;

/** A project name from a folder name: the naming rule's letters, digits and `_`. */
export function projectName(dir: string): string {
  const cleaned = basename(resolve(dir)).replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `p_${cleaned}`;
}

function configYaml(project: string): string {
  return `# A Larder feature repository (like Feast's feature_store.yaml).
#
# \`larder plan\` and \`larder apply\` read every .yaml, .yml and .json file of
# this folder and its subfolders (this file, hidden folders and \`ignore\`
# aside) as definitions, and apply them together, atomically, as the whole
# registry of \`project\`: an object you delete from the files is deleted
# from the registry (\`larder apply --no-delete\` keeps such objects).

# The project these definitions make up. LARDER_PROJECT or --project override it.
project: ${project}

# The Larder Worker's origin. LARDER_URL or --url override it.
url: ${DEFAULT_URL}

# Paths that hold no definitions.
ignore:
  - data/

# Do not write the token here (this file belongs in version control):
# use LARDER_TOKEN or --token.
`;
}

const DEFINITIONS = `# Definitions of the customer features. Every list below is optional; a file
# may hold any of them. Names use letters, digits and _ (not starting with a
# digit). The server's own schemas check this file: \`larder plan\` shows what
# would change without changing anything.

# Entities: what features describe. join_keys name the columns that identify
# one (several make a composite key); value_type is STRING, INT32, INT64 or BYTES.
entities:
  - name: customer
    join_keys: [customer_id]
    value_type: STRING
    description: A customer of the shop

# Batch sources: where a view's offline history lives, as Parquet. A bare
# path is a prefix inside this project's own space of the offline bucket;
# \`larder ingest customer_stats_source data/customer_stats.csv\` appends to it.
data_sources:
  - name: customer_stats_source
    type: batch
    path: customer_stats/
    timestamp_field: event_timestamp

# Feature views: features of an entity, read from a source. ttl_seconds
# bounds how old a value may be (online reads and point-in-time joins);
# online: true makes the view materializable and servable online.
feature_views:
  - name: customer_stats
    entities: [customer]
    source: customer_stats_source
    ttl_seconds: 604800 # 7 days
    online: true
    schema:
      - { name: orders_30d, dtype: int64 }
      - { name: avg_order_value, dtype: float64 }
      - { name: segment, dtype: string }
      - { name: is_subscriber, dtype: bool }
    # schedule: 1h  # incremental materialization by the cron, every hour
    tags: { team: growth }

# Feature services: the named set of features a model uses; a view name
# stands for all of its features.
feature_services:
  - name: churn_model_v1
    features: [customer_stats]

# Push sources take streaming rows (larder's POST /push-features, or a
# service binding's pushFeatures) into a batch source:
# push_sources:
#   - name: customer_stats_push
#     batch_source: customer_stats_source
`;

const CUSTOMERS = [
  { id: "cust_001", orders: [3, 4, 6], value: [52.1, 50.75, 48.9], segment: "regular", subscriber: false },
  { id: "cust_002", orders: [12, 11, 14], value: [87.4, 90.1, 91.25], segment: "vip", subscriber: true },
  { id: "cust_003", orders: [0, 1, 1], value: [0, 23.5, 23.5], segment: "new", subscriber: false },
  { id: "cust_004", orders: [7, 7, 5], value: [61.2, 60.8, 64.0], segment: "regular", subscriber: true },
];

/** Three days of daily snapshots per customer, the last one an hour before `now`. */
function sampleData(now: number): string {
  const lines = ["customer_id,event_timestamp,orders_30d,avg_order_value,segment,is_subscriber"];
  for (let day = 2; day >= 0; day--) {
    const ts = new Date(now - HOUR - day * 24 * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
    const i = 2 - day;
    for (const c of CUSTOMERS) lines.push([c.id, ts, c.orders[i], c.value[i], c.segment, c.subscriber].join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Training labels: one row per customer and moment, for `larder historical --entity-df`. */
function entityDf(now: number): string {
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
  const rows = [
    ["cust_001", at(30), 0],
    ["cust_002", at(30), 0],
    ["cust_003", at(2), 1],
    ["cust_004", at(2), 0],
    ["cust_999", at(2), 1],
  ];
  return `customer_id,event_timestamp,churned\n${rows.map((r) => r.join(",")).join("\n")}\n`;
}

export interface InitOutcome {
  dir: string;
  project: string;
  files: string[];
}

/** Writes the repo into `dir` (created; it must be empty or absent). */
export function initRepo(dir: string, project = projectName(dir), now = Date.now()): InitOutcome {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    throw new CliError(`${dir} exists and is not empty`, ["Give a new folder: larder init my_feature_repo"]);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(project)) {
    throw new CliError(`'${project}' is not a project name`, [
      "Use letters, digits and _, not starting with a digit (--project).",
    ]);
  }
  const files: [string, string][] = [
    [CONFIG_FILE, configYaml(project)],
    ["features/customer.yaml", DEFINITIONS],
    ["data/customer_stats.csv", sampleData(now)],
    ["data/entity_df.csv", entityDf(now)],
  ];
  for (const [rel, text] of files) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return { dir: root, project, files: files.map(([rel]) => rel) };
}
