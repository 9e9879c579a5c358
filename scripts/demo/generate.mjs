// Synthetic history of the demo project (demo/definitions.json), as columnar
// batches per batch source. Deterministic: every value is a pure function of
// the entity id and the date (prng.mjs), so a date generated on two different
// days gets the same values. Each entity gets one row a day at 00:00 UTC (the
// nightly batch snapshot) for January 2024 (the specification's historical
// example) and for the last 90 days up to today, whose 00:00 row is never
// after the moment of loading. customer_realtime rows are login events at a
// time of day, only on days the customer was active, never after now.
import { cellRng, entityRng, hashString } from "./prng.mjs";

export const DAY_MS = 86_400_000;
export const RECENT_DAYS = 90;
/** Rows per ingest request (the route's limit is 100,000). */
export const MAX_BATCH_ROWS = 50_000;

const dayOf = (ms) => Math.floor(ms / DAY_MS);
const utcDay = (y, m, d) => dayOf(Date.UTC(y, m - 1, d));
/** A fixed reference date: traits (age, signup) never depend on when the data is generated. */
const REF_DAY = utcDay(2025, 1, 1);
const YEAR_DAYS = 365.2425;

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const round = (x, digits) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const pad = (n, width) => String(n).padStart(width, "0");

/** The two stretches of history: January 2024, and the last 90 days up to today. */
export function demoSegments(nowMs) {
  const today = dayOf(nowMs);
  const recent = { name: "last 90 days", firstDay: today - RECENT_DAYS, lastDay: today };
  const january = {
    name: "January 2024",
    firstDay: utcDay(2024, 1, 1),
    lastDay: Math.min(utcDay(2024, 1, 31), recent.firstDay - 1),
  };
  return january.firstDay <= january.lastDay ? [january, recent] : [recent];
}

// ---------------------------------------------------------------------------
// Simulation: daily draws of each entity over a span, kept as prefix sums so
// rolling windows (7, 30, 90 days) are two lookups.

/**
 * Simulates `quantities` for every entity over [firstDay - lookback, lastDay].
 * `draw(entity, day, out)` fills `out` with the day's quantities (and
 * `out.active`, a boolean) and returns false before the entity exists.
 */
function simulate(entities, firstDay, lastDay, lookback, quantities, draw) {
  const spanStart = firstDay - lookback;
  const span = lastDay - spanStart + 1;
  const stride = span + 1;
  const prefix = Object.fromEntries(quantities.map((q) => [q, new Float64Array(entities.length * stride)]));
  // Last active day index (relative to spanStart) at or before each day; -1 for none.
  const lastActive = new Int32Array(entities.length * span);
  const out = {};
  for (let e = 0; e < entities.length; e++) {
    let last = -1;
    for (let k = 0; k < span; k++) {
      for (const q of quantities) out[q] = 0;
      out.active = false;
      draw(entities[e], spanStart + k, out);
      const base = e * stride + k;
      for (const q of quantities) prefix[q][base + 1] = prefix[q][base] + out[q];
      if (out.active) last = k;
      lastActive[e * span + k] = last;
    }
  }
  return {
    spanStart,
    /** Sum of `q` over the `window` days ending on `day` (inclusive). */
    sum(q, e, day, window) {
      const k = day - spanStart;
      const from = Math.max(0, k - window + 1);
      return prefix[q][e * stride + k + 1] - prefix[q][e * stride + from];
    },
    /** Sum of `q` over the whole span up to `day`. */
    cumulative(q, e, day) {
      return prefix[q][e * stride + (day - spanStart) + 1];
    },
    /** Last active day at or before `day`, or undefined. */
    lastActive(e, day) {
      const k = lastActive[e * span + (day - spanStart)];
      return k < 0 ? undefined : spanStart + k;
    },
  };
}

/** Memoizes one simulation per segment. */
function perSegment(build) {
  const cache = new Map();
  return (segment) => {
    if (!cache.has(segment.name)) cache.set(segment.name, build(segment));
    return cache.get(segment.name);
  };
}

const weekday = (day) => (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
const isWeekend = (day) => weekday(day) === 0 || weekday(day) === 6;
const monthOf = (day) => new Date(day * DAY_MS).getUTCMonth();

// ---------------------------------------------------------------------------
// Customers

const EARLIEST_SIGNUP = utcDay(2018, 1, 1);
const LATEST_SIGNUP = utcDay(2026, 6, 1);
const NEVER = Number.MAX_SAFE_INTEGER;
const LOGNORMAL_MEAN = Math.exp(0.45 ** 2 / 2); // of the per-purchase amount factor

/** The ids the specification names, with traits that make them good examples. */
const SPECIAL_CUSTOMERS = {
  // `age` on the day `ageOn`: the online example's ids now, the historical example's in January 2024.
  cust_12345: { age: 34, ageOn: utcDay(2026, 11, 1), signup: utcDay(2025, 9, 25), txRate: 0.15, avgAmount: 48 },
  cust_67890: { age: 28, ageOn: utcDay(2026, 11, 1), signup: utcDay(2026, 6, 23), txRate: 0.1, avgAmount: 36 },
  cust_001: { age: 34, ageOn: utcDay(2024, 1, 1), signup: utcDay(2022, 11, 14), txRate: 0.16, avgAmount: 52 },
  cust_002: { age: 28, ageOn: utcDay(2024, 1, 1), signup: utcDay(2023, 6, 2), txRate: 0.08, avgAmount: 40 },
  cust_003: { age: 45, ageOn: utcDay(2024, 1, 1), signup: utcDay(2019, 11, 20), txRate: 0.2, avgAmount: 38 },
};

export const CUSTOMER_COUNT = 10_000;

function customerTraits(id, nowDay) {
  const hash = hashString(id);
  const r = entityRng(hash);
  const ageAtRef = clamp(Math.round(38 + 12 * r.normal()), 19, 85);
  const latestSignup = Math.min(LATEST_SIGNUP, nowDay - 30);
  // sqrt: the customer base grows, so recent signups are more frequent.
  let signupDay = EARLIEST_SIGNUP + Math.floor((latestSignup - EARLIEST_SIGNUP) * Math.sqrt(r.next()));
  let txRate = clamp(r.lognormal(-3.0, 0.8), 0.004, 1.2);
  let avgAmount = clamp(r.lognormal(3.7, 0.55), 5, 1500);
  let birthDay = REF_DAY - Math.floor(ageAtRef * YEAR_DAYS + r.uniform(0, 364));
  const lag = Math.min(60, Math.floor(r.lognormal(1, 1)));
  const declineRate = r.uniform(0.01, 0.08);
  const ticketRate = clamp(r.lognormal(-5.3, 0.7), 0.0005, 0.05);
  let loginProb = clamp(0.04 + txRate * 2.5 + r.uniform(0, 0.15), 0.02, 0.95);
  const resolutionHours = clamp(r.lognormal(2.8, 0.6), 1, 240);
  const churns = r.next() < 0.18;
  const churnOffset = r.next();
  const fallbackGap = Math.floor(r.uniform(1, 60));
  const special = SPECIAL_CUSTOMERS[id];
  if (special) {
    birthDay = special.ageOn - Math.floor(special.age * YEAR_DAYS + 100);
    signupDay = special.signup;
    txRate = special.txRate;
    avgAmount = special.avgAmount;
    loginProb = 0.9;
  }
  const firstPurchaseDay = signupDay + (special ? 2 : lag);
  const churnDay =
    churns && !special
      ? firstPurchaseDay + 30 + Math.floor(churnOffset * Math.max(1, latestSignup + 200 - firstPurchaseDay))
      : NEVER;
  return {
    id,
    hash,
    birthDay,
    signupDay,
    firstPurchaseDay,
    churnDay,
    txRate,
    avgAmount,
    declineRate,
    ticketRate,
    loginProb,
    resolutionHours,
    fallbackGap,
    special: Boolean(special),
  };
}

export function customerIds() {
  const ids = [];
  for (let i = 1; i <= CUSTOMER_COUNT; i++) ids.push(`cust_${pad(i, 5)}`);
  return [...ids, ...Object.keys(SPECIAL_CUSTOMERS)];
}

function customerDraw(c, day, out) {
  if (day < c.signupDay) return;
  const r = cellRng(c.hash, day, 0);
  const churned = day >= c.churnDay;
  const season = (isWeekend(day) ? 1.25 : 1) * (monthOf(day) >= 10 ? 1.3 : 1);
  const lambda = day < c.firstPurchaseDay ? 0 : c.txRate * season * (churned ? 0.02 : 1);
  const n = r.poisson(lambda);
  for (let i = 0; i < n; i++) {
    if (r.next() < c.declineRate) out.declined++;
    else {
      out.count++;
      out.amount += c.avgAmount * r.lognormal(0, 0.45);
    }
  }
  out.attempts = n;
  out.tickets = r.poisson(c.ticketRate * (n > 0 ? 2 : 1) * (churned ? 0.3 : 1));
  out.active = n > 0 || r.next() < (churned ? c.loginProb * 0.05 : c.loginProb);
}

/** Lifetime spend before the simulated span: the expected spend of the active days before it. */
function spendBefore(c, spanStart) {
  const until = Math.min(spanStart, c.churnDay);
  const activeDays =
    Math.max(0, until - c.firstPurchaseDay) + 0.02 * Math.max(0, spanStart - Math.max(c.churnDay, c.firstPurchaseDay));
  return c.txRate * 1.08 * (1 - c.declineRate) * c.avgAmount * LOGNORMAL_MEAN * activeDays;
}

function segmentOf(ltv) {
  if (ltv >= 10_000) return "vip";
  if (ltv >= 2_000) return "premium";
  if (ltv >= 300) return "standard";
  return "basic";
}

// ---------------------------------------------------------------------------
// Pipelines, users, connectors

const PIPELINE_COUNT = 60;
const USER_COUNT = 500;
const CONNECTOR_COUNT = 40;
const CONNECTOR_TYPES = [
  ["pg", 18],
  ["ch", 120],
  ["mysql", 22],
  ["s3", 350],
  ["kafka", 6],
  ["bq", 1400],
  ["snowflake", 900],
  ["mongo", 28],
];

function pipelineTraits(id) {
  const hash = hashString(id);
  const r = entityRng(hash);
  const t = {
    id,
    hash,
    runsPerDay: r.pick([1, 1, 2, 4, 6, 12, 24, 24, 48, 96]),
    failProb: clamp(r.lognormal(-3.6, 0.8), 0.002, 0.25),
    duration: clamp(r.lognormal(5.0, 0.9), 10, 7200),
    volumeGb: r.lognormal(2, 1.2),
    period: r.uniform(40, 120),
    phase: r.uniform(0, 120),
    amplitude: r.uniform(0.05, 0.35),
  };
  if (id === "pipe_001") Object.assign(t, { runsPerDay: 24, failProb: 0.035, duration: 145, amplitude: 0.3 });
  if (id === "pipe_002") Object.assign(t, { runsPerDay: 12, failProb: 0.11, duration: 320, amplitude: 0.05 });
  return t;
}

function pipelineDraw(p, day, out) {
  const r = cellRng(p.hash, day, 0);
  const incident = r.next() < 0.03 ? 5 : 1;
  out.runs = p.runsPerDay;
  out.failures = Math.min(p.runsPerDay, r.poisson(p.runsPerDay * p.failProb * incident));
  out.duration = p.runsPerDay * p.duration * r.lognormal(0, 0.12);
  out.volume =
    p.volumeGb * (1 + p.amplitude * Math.sin((2 * Math.PI * (day + p.phase)) / p.period)) * r.lognormal(0, 0.04);
  out.active = true;
}

function userTraits(id) {
  const hash = hashString(id);
  const r = entityRng(hash);
  return {
    id,
    hash,
    startDay: utcDay(2022, 1, 1) + Math.floor(r.next() * 690),
    createRate: clamp(r.lognormal(-2.0, 0.8), 0.01, 3),
    execRate: clamp(r.lognormal(1.5, 1.0), 0.2, 200),
    gbPerExec: clamp(r.lognormal(-1, 1.2), 0.001, 50),
    complexity: r.uniform(1.5, 8.5),
    phase: r.uniform(0, 400),
  };
}

function userDraw(u, day, out) {
  if (day < u.startDay) return;
  const r = cellRng(u.hash, day, 0);
  const workday = isWeekend(day) ? 0.3 : 1;
  out.created = r.poisson(u.createRate * workday);
  out.executed = r.poisson(u.execRate * workday);
  out.gb = out.executed * u.gbPerExec * r.lognormal(0, 0.3);
  out.active = out.created + out.executed > 0;
}

function connectorTraits(id, baseMs) {
  const hash = hashString(id);
  const r = entityRng(hash);
  return {
    id,
    hash,
    queryMs: baseMs * r.lognormal(0, 0.3),
    incidentRate: clamp(r.lognormal(-3.5, 0.7), 0.001, 0.5),
    errorRate: clamp(r.lognormal(-6, 0.8), 0.00005, 0.05),
    pool: r.uniform(0.2, 0.75),
    queries: r.lognormal(8, 1),
  };
}

function connectorDraw(c, day, out) {
  const r = cellRng(c.hash, day, 0);
  const incidents = r.poisson(c.incidentRate);
  out.downtime = Math.min(1440, incidents * r.lognormal(3, 1));
  out.queries = Math.max(1, Math.round(c.queries * r.lognormal(0, 0.15) * (isWeekend(day) ? 0.6 : 1)));
  out.errors = Math.round(out.queries * c.errorRate * r.lognormal(0, 0.5) * (incidents > 0 ? 4 : 1));
  out.queryMs = out.queries * c.queryMs * r.lognormal(0, 0.1) * (incidents > 0 ? 1.5 : 1);
  out.pool = clamp(c.pool + 0.08 * r.normal() + (incidents > 0 ? 0.2 : 0), 0.01, 1);
  out.active = true;
}

// ---------------------------------------------------------------------------
// Sources

/**
 * The batch sources of the demo, each with its join key, feature columns
 * (name, dtype) and `rows(segment, day, sink)` that appends the day's rows.
 */
export function demoSources(nowMs) {
  const nowDay = dayOf(nowMs);
  const customers = customerIds().map((id) => customerTraits(id, nowDay));
  const customerSim = perSegment((s) =>
    simulate(
      customers,
      s.firstDay,
      s.lastDay,
      90,
      ["count", "declined", "amount", "tickets", "attempts"],
      customerDraw,
    ),
  );

  const pipelines = Array.from({ length: PIPELINE_COUNT }, (_, i) => pipelineTraits(`pipe_${pad(i + 1, 3)}`));
  const pipelineSim = perSegment((s) =>
    simulate(pipelines, s.firstDay, s.lastDay, 14, ["runs", "failures", "duration", "volume"], pipelineDraw),
  );

  const users = Array.from({ length: USER_COUNT }, (_, i) => userTraits(`user_${pad(i + 1, 3)}`));
  const userSim = perSegment((s) =>
    simulate(users, s.firstDay, s.lastDay, 30, ["created", "executed", "gb"], userDraw),
  );

  const connectors = Array.from({ length: CONNECTOR_COUNT }, (_, i) => {
    const [type, baseMs] = CONNECTOR_TYPES[i % CONNECTOR_TYPES.length];
    return connectorTraits(`conn_${type}_${pad(i + 1, 3)}`, baseMs);
  });
  const connectorSim = perSegment((s) =>
    simulate(connectors, s.firstDay, s.lastDay, 7, ["downtime", "queries", "errors", "queryMs", "pool"], connectorDraw),
  );

  /** Each existing customer, with its index, on `day`. */
  const eachCustomer = (day, fn) => {
    for (let e = 0; e < customers.length; e++) if (day >= customers[e].signupDay) fn(customers[e], e);
  };

  return [
    {
      source: "customer_profile_source",
      joinKey: "customer_id",
      entities: customers.length,
      features: [
        ["age", "int32"],
        ["lifetime_value", "float64"],
        ["days_since_signup", "int32"],
        ["segment", "string"],
        ["tenure_days", "int32"],
        ["total_spend_90d", "float64"],
        ["support_tickets_90d", "int32"],
        ["last_activity_days_ago", "int32"],
      ],
      rows(segment, day, sink) {
        const sim = customerSim(segment);
        const ts = day * DAY_MS;
        eachCustomer(day, (c, e) => {
          const ltv = spendBefore(c, sim.spanStart) + sim.cumulative("amount", e, day);
          const daysSinceSignup = day - c.signupDay;
          const last = sim.lastActive(e, day);
          const lastActivity =
            last !== undefined ? day - last : Math.min(daysSinceSignup, day - sim.spanStart + c.fallbackGap);
          sink.push(c.id, ts, {
            age: Math.floor((day - c.birthDay) / YEAR_DAYS),
            lifetime_value: round(ltv, 2),
            days_since_signup: daysSinceSignup,
            segment: segmentOf(ltv),
            tenure_days: Math.max(0, day - c.firstPurchaseDay),
            total_spend_90d: round(sim.sum("amount", e, day, 90), 2),
            support_tickets_90d: sim.sum("tickets", e, day, 90),
            last_activity_days_ago: lastActivity,
          });
        });
      },
    },
    {
      source: "transactions_source",
      joinKey: "customer_id",
      entities: customers.length,
      features: [
        ["total_count_30d", "int64"],
        ["count_30d", "int64"],
        ["avg_amount_30d", "float64"],
        ["total_amount_30d", "float64"],
      ],
      rows(segment, day, sink) {
        const sim = customerSim(segment);
        const ts = day * DAY_MS;
        eachCustomer(day, (c, e) => {
          const completed = sim.sum("count", e, day, 30);
          const amount = sim.sum("amount", e, day, 30);
          sink.push(c.id, ts, {
            total_count_30d: sim.sum("attempts", e, day, 30),
            count_30d: completed,
            avg_amount_30d: completed > 0 ? round(amount / completed, 2) : null,
            total_amount_30d: round(amount, 2),
          });
        });
      },
    },
    {
      source: "support_source",
      joinKey: "customer_id",
      entities: customers.length,
      features: [
        ["ticket_count_90d", "int32"],
        ["open_tickets", "int32"],
        ["avg_resolution_hours", "float64"],
      ],
      rows(segment, day, sink) {
        const sim = customerSim(segment);
        const ts = day * DAY_MS;
        eachCustomer(day, (c, e) => {
          const tickets = sim.sum("tickets", e, day, 90);
          const weekly = cellRng(c.hash, Math.floor(day / 7), 3);
          sink.push(c.id, ts, {
            ticket_count_90d: tickets,
            open_tickets: sim.sum("tickets", e, day, 3),
            avg_resolution_hours: tickets > 0 ? round(c.resolutionHours * weekly.uniform(0.75, 1.3), 1) : null,
          });
        });
      },
    },
    {
      source: "customer_realtime_batch",
      joinKey: "customer_id",
      entities: customers.length,
      features: [
        ["last_login_timestamp", "unix_timestamp"],
        ["session_count_today", "int32"],
        ["cart_value", "float64"],
        ["items_in_cart", "int32"],
        ["current_session_duration", "float64"],
        ["pages_viewed", "int32"],
      ],
      rows(segment, day, sink) {
        const sim = customerSim(segment);
        const dayStart = day * DAY_MS;
        // Events of today stop a minute before now.
        const limitSec = Math.min(86_400, Math.floor((nowMs - dayStart) / 1000) - 60);
        if (limitSec <= 0) return;
        eachCustomer(day, (c, e) => {
          if (sim.lastActive(e, day) !== day) return;
          const r = cellRng(c.hash, day, 1);
          const eventMs = dayStart + Math.floor(r.next() * limitSec) * 1000;
          const items = r.poisson(1.2 + c.txRate * 3);
          sink.push(c.id, eventMs, {
            last_login_timestamp: Math.max(dayStart, eventMs - Math.floor(r.next() * 1800) * 1000),
            session_count_today: 1 + r.poisson(0.8),
            cart_value: items > 0 ? round(items * c.avgAmount * 0.6 * r.lognormal(0, 0.3), 2) : 0,
            items_in_cart: items,
            current_session_duration: round(r.lognormal(5.5, 0.8), 1),
            pages_viewed: 1 + r.poisson(5),
          });
        });
      },
    },
    {
      source: "pipeline_source",
      joinKey: "pipeline_id",
      entities: pipelines.length,
      features: [
        ["success_rate_7d", "float64"],
        ["avg_duration_7d", "float64"],
        ["error_count_7d", "int32"],
        ["data_volume_trend", "string"],
      ],
      rows(segment, day, sink) {
        const sim = pipelineSim(segment);
        pipelines.forEach((p, e) => {
          const runs = sim.sum("runs", e, day, 7);
          const failures = sim.sum("failures", e, day, 7);
          const volume = sim.sum("volume", e, day, 7);
          const before = sim.sum("volume", e, day - 7, 7);
          const ratio = before > 0 ? volume / before : 1;
          sink.push(p.id, day * DAY_MS, {
            success_rate_7d: round(1 - failures / runs, 4),
            avg_duration_7d: round(sim.sum("duration", e, day, 7) / runs, 1),
            error_count_7d: failures,
            data_volume_trend: ratio > 1.05 ? "increasing" : ratio < 0.95 ? "decreasing" : "stable",
          });
        });
      },
    },
    {
      source: "user_source",
      joinKey: "user_id",
      entities: users.length,
      features: [
        ["pipelines_created_30d", "int32"],
        ["pipelines_executed_30d", "int32"],
        ["total_data_processed_gb", "float64"],
        ["avg_pipeline_complexity", "float64"],
      ],
      rows(segment, day, sink) {
        const sim = userSim(segment);
        users.forEach((u, e) => {
          if (day < u.startDay) return;
          const before = u.execRate * u.gbPerExec * Math.exp(0.045) * 0.8 * Math.max(0, sim.spanStart - u.startDay);
          const noise = cellRng(u.hash, day, 1).normal();
          sink.push(u.id, day * DAY_MS, {
            pipelines_created_30d: sim.sum("created", e, day, 30),
            pipelines_executed_30d: sim.sum("executed", e, day, 30),
            total_data_processed_gb: round(before + sim.cumulative("gb", e, day), 2),
            avg_pipeline_complexity: round(
              clamp(u.complexity + 0.5 * Math.sin((day + u.phase) / 60) + 0.1 * noise, 1, 10),
              2,
            ),
          });
        });
      },
    },
    {
      source: "connector_source",
      joinKey: "connector_id",
      entities: connectors.length,
      features: [
        ["uptime_percentage_7d", "float64"],
        ["avg_query_time_7d", "float64"],
        ["error_rate_7d", "float64"],
        ["connection_pool_usage", "float64"],
      ],
      rows(segment, day, sink) {
        const sim = connectorSim(segment);
        connectors.forEach((c, e) => {
          const queries = sim.sum("queries", e, day, 7);
          sink.push(c.id, day * DAY_MS, {
            uptime_percentage_7d: round(100 * (1 - sim.sum("downtime", e, day, 7) / (7 * 1440)), 3),
            avg_query_time_7d: round(sim.sum("queryMs", e, day, 7) / queries, 2),
            error_rate_7d: round(sim.sum("errors", e, day, 7) / queries, 5),
            connection_pool_usage: round(sim.sum("pool", e, day, 1), 3),
          });
        });
      },
    },
  ];
}

/** Columnar rows of one source: the join key, event and created time (epoch ms), features. */
export class ColumnSink {
  constructor(source) {
    this.source = source;
    this.keys = [];
    this.times = [];
    this.columns = Object.fromEntries(source.features.map(([name]) => [name, []]));
  }

  get length() {
    return this.keys.length;
  }

  push(key, eventMs, values) {
    this.keys.push(key);
    this.times.push(eventMs);
    for (const name in this.columns) this.columns[name].push(values[name] ?? null);
  }

  /** Rows [from, to) as a new sink. */
  slice(from, to) {
    const out = new ColumnSink(this.source);
    out.keys = this.keys.slice(from, to);
    out.times = this.times.slice(from, to);
    for (const name in this.columns) out.columns[name] = this.columns[name].slice(from, to);
    return out;
  }
}

/**
 * The batches of one source: whole days in date order, as many as fit in
 * `maxRows` rows (a day holds at most one row per entity).
 */
export function* sourceBatches(source, segments, maxRows = MAX_BATCH_ROWS) {
  for (const segment of segments) {
    let sink = new ColumnSink(source);
    let firstDay = segment.firstDay;
    for (let day = segment.firstDay; day <= segment.lastDay; day++) {
      source.rows(segment, day, sink);
      if (day === segment.lastDay || sink.length + source.entities > maxRows) {
        if (sink.length > 0) yield { segment: segment.name, firstDay, lastDay: day, sink };
        sink = new ColumnSink(source);
        firstDay = day + 1;
      }
    }
  }
}

/**
 * The latest row of each entity over today and yesterday (what a view with a
 * ttl of one or two days can serve), for writing online without materializing.
 */
export function latestRows(source, segments) {
  const last = segments[segments.length - 1];
  const sink = new ColumnSink(source);
  // A realtime customer may have no event today: yesterday's is then its newest.
  const seen = new Set();
  for (let day = last.lastDay; day >= Math.max(last.firstDay, last.lastDay - 1); day--) {
    const daySink = new ColumnSink(source);
    source.rows(last, day, daySink);
    for (let i = 0; i < daySink.length; i++) {
      if (seen.has(daySink.keys[i])) continue;
      seen.add(daySink.keys[i]);
      sink.push(
        daySink.keys[i],
        daySink.times[i],
        Object.fromEntries(source.features.map(([name]) => [name, daySink.columns[name][i]])),
      );
    }
  }
  return sink;
}
