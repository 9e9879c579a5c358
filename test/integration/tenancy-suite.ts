/**
 * The tenancy sweep: for every operation of the OpenAPI document, an
 * attacker's token (limited to its own project) tries to reach the victim's
 * data by every handle a request has: the project selector (`?project=`, a
 * body `project`, a `{project}` path parameter), the victim's object names
 * and ids in path parameters, the victim's export link re-signed or re-aimed,
 * and batch-source paths aimed at the victim's prefix. An attempt passes when
 * it is refused, or answers with nothing of the victim's (no marker, no
 * object name); and the victim's stores must be unchanged afterwards.
 */
import { bodyProperties, exampleOf, fillPath, type Operation, operations } from "../tools/openapi-requests";
import { BASE } from "./helpers";
import { projectState, type TenantFixture } from "./tenancy-fixtures";

export interface Violation {
  operation: string;
  vector: string;
  status: number;
  why: string;
}

/** How the sweep sends a request (the real app, or one made leaky on purpose to test the sweep). */
export type Send = (request: Request) => Promise<Response>;

/** The victim's data in `text`, leaving out what the attacker itself sent (an error may echo a name it was given). */
function leakIn(text: string, victim: TenantFixture, sent = ""): string | undefined {
  const needles = [victim.marker.text, String(victim.marker.number), ...Object.values(victim.names)];
  return needles.find((n) => text.includes(n) && !sent.includes(n));
}

interface Attempt {
  op: Operation;
  vector: string;
  url: string;
  body?: unknown;
  token?: string;
  /** Statuses that are a refusal for this vector (any other 4xx also refuses unless `exact`). */
  expect: number[];
  exact?: boolean;
}

async function judge(send: Send, attempt: Attempt, victim: TenantFixture): Promise<Violation | undefined> {
  const headers: Record<string, string> = {};
  if (attempt.token) headers.authorization = `Bearer ${attempt.token}`;
  if (attempt.body !== undefined) headers["content-type"] = "application/json";
  const res = await send(
    new Request(`${BASE}${attempt.url}`, {
      method: attempt.op.method,
      headers,
      body: attempt.body === undefined ? undefined : JSON.stringify(attempt.body),
    }),
  );
  const text = await res.text();
  const base = { operation: attempt.op.id, vector: attempt.vector, status: res.status };
  if (res.status >= 500) return { ...base, why: `server error: ${text.slice(0, 200)}` };
  const leak = leakIn(text, victim, `${decodeURIComponent(attempt.url)} ${JSON.stringify(attempt.body ?? null)}`);
  if (leak) return { ...base, why: `the answer shows the victim's '${leak}'` };
  const refused = attempt.exact ? attempt.expect.includes(res.status) : res.status >= 400;
  if (!refused) return { ...base, why: `not refused (expected ${attempt.expect.join(" or ")})` };
  return undefined;
}

function attemptsFor(doc: unknown, op: Operation, attacker: TenantFixture, victim: TenantFixture): Attempt[] {
  const own = `?project=${attacker.project}`;
  const body = op.body ? exampleOf(doc, op.body) : undefined;
  const out: Attempt[] = [];
  const base = { op, token: attacker.token, body };
  if (!op.open) {
    // 1. The victim's project, named where a request names one.
    const paramsWithVictim = Object.fromEntries(op.pathParams.map((p) => [p, p === "project" ? victim.project : "x"]));
    out.push({
      ...base,
      vector: "?project=<victim>",
      url: `${fillPath(op, paramsWithVictim)}?project=${victim.project}`,
      expect: [403],
      exact: true,
    });
    if (op.pathParams.includes("project")) {
      out.push({
        ...base,
        vector: "{project}=<victim>",
        url: fillPath(op, paramsWithVictim),
        expect: [403],
        exact: true,
      });
    }
    if (bodyProperties(doc, op).includes("project") && body && typeof body === "object") {
      const withProject = { ...(body as Record<string, unknown>), project: victim.project };
      out.push({
        ...base,
        vector: "body project=<victim>",
        url: `${fillPath(op, {})}${own}`,
        body: withProject,
        expect: [403],
        exact: true,
      });
    }
  }
  // 2. The victim's object names and ids, in the attacker's own project.
  const handles = [...Object.values(victim.names), ...Object.values(victim.ids)];
  for (const param of op.pathParams.filter((p) => p !== "project")) {
    for (const handle of handles) {
      const values = Object.fromEntries(op.pathParams.map((p) => [p, p === "project" ? attacker.project : "x"]));
      values[param] = handle;
      out.push({
        ...base,
        vector: `{${param}}=${handle}`,
        url: `${fillPath(op, values)}${op.open ? "" : own}`,
        expect: [404],
      });
    }
  }
  return out;
}

/** The victim's export link, re-aimed at the attacker's project or stripped of its proof. */
function linkAttempts(doc: unknown, victim: TenantFixture, attacker: TenantFixture): Attempt[] {
  const op = operations(doc).find((o) => o.path === "/exports/{id}");
  if (!op) return [];
  const url = new URL(victim.exportUrl);
  const path = url.pathname.replace("/api/v1/features", "");
  const reaimed = new URLSearchParams(url.search);
  reaimed.set("project", attacker.project);
  const unsigned = new URLSearchParams({ project: attacker.project });
  return [
    {
      op,
      vector: "export link re-aimed at the attacker's project",
      url: `${path}?${reaimed}`,
      expect: [403],
      exact: true,
    },
    {
      op,
      vector: "export id without a signature",
      url: `${path}?${unsigned}`,
      token: attacker.token,
      expect: [403],
      exact: true,
    },
  ];
}

/** Every violation of the attacker → victim direction (empty when isolation holds), and how many attempts were made. */
export async function tenancyViolations(
  doc: unknown,
  send: Send,
  attacker: TenantFixture,
  victim: TenantFixture,
): Promise<{ violations: Violation[]; attempts: number }> {
  const before = await projectState(victim.project);
  const violations: Violation[] = [];
  const attempts = [
    ...operations(doc).flatMap((op) => attemptsFor(doc, op, attacker, victim)),
    ...linkAttempts(doc, victim, attacker),
  ];
  for (const attempt of attempts) {
    const violation = await judge(send, attempt, victim);
    if (violation) violations.push(violation);
  }
  violations.push(...(await pathAttempts(send, attacker, victim)));
  const after = await projectState(victim.project);
  if (after !== before)
    violations.push({ operation: "(all)", vector: "state", status: 0, why: "the victim's stores changed" });
  return { violations, attempts: attempts.length };
}

/** Batch sources of the attacker aimed at the victim's prefix (and at Larder's own), then read. */
async function pathAttempts(send: Send, attacker: TenantFixture, victim: TenantFixture): Promise<Violation[]> {
  const json = (method: string, url: string, body?: unknown) =>
    send(
      new Request(`${BASE}${url}?project=${attacker.project}`, {
        method,
        headers: { authorization: `Bearer ${attacker.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  const paths = [
    `s3://any/offline/${victim.project}/${victim.names.source}/`,
    `r2://larder-offline/../${victim.project}/`,
    `exports/${victim.project}/`,
    `external://offline/${victim.project}/`,
  ];
  const violations: Violation[] = [];
  for (const [i, path] of paths.entries()) {
    const name = `probe_${i}`;
    const source = { name, type: "batch", path };
    const view = {
      name: `probe_view_${i}`,
      entities: [`${attacker.project}_secret_entity`],
      schema: [{ name: "secret_note", dtype: "string" }],
      source: name,
    };
    const applied = await json("POST", "/apply", { data_sources: [source], feature_views: [view] });
    if (applied.status >= 500)
      violations.push({ operation: "POST /apply", vector: path, status: applied.status, why: "server error" });
    if (applied.status !== 200) continue;
    for (const [method, url, body] of [
      ["POST", `/data-sources/${name}/scan`, {}],
      [
        "POST",
        "/historical-features",
        {
          features: [`probe_view_${i}:secret_note`],
          entity_df: { secret_id: ["s1"], event_timestamp: [new Date().toISOString()] },
        },
      ],
    ] as const) {
      const res = await json(method, url, body);
      const text = await res.text();
      const leak = leakIn(text, victim);
      if (res.status >= 500 || leak)
        violations.push({
          operation: `${method} ${url}`,
          vector: `batch source path ${path}`,
          status: res.status,
          why: leak ? `shows '${leak}'` : "server error",
        });
    }
  }
  return violations;
}
