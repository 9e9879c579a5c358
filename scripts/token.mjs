#!/usr/bin/env node
// Mints a local dev token signed with the AUTH_JWT_SECRET of .dev.vars.
//   npm run token -- --scopes "online:read registry:read" [--projects ai_etl,other] [--ttl 3600]
import { parseArgs } from "node:util";
import { ALL_SCOPES, mintToken, readDevVars } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    scopes: { type: "string", default: "admin" },
    projects: { type: "string" },
    ttl: { type: "string", default: "86400" },
    subject: { type: "string", default: "dev" },
  },
});
const secret = readDevVars().AUTH_JWT_SECRET;
if (!secret) {
  console.error("No AUTH_JWT_SECRET in .dev.vars: run `npm start` once (it creates one).");
  process.exit(1);
}
const scopes = values.scopes.split(/[\s,]+/).filter(Boolean);
const unknown = scopes.filter((s) => !ALL_SCOPES.includes(s));
if (unknown.length) {
  console.error(`Unknown scope(s): ${unknown.join(", ")}. Known: ${ALL_SCOPES.join(" ")}`);
  process.exit(1);
}
const projects = values.projects ? values.projects.split(",").map((p) => p.trim()) : undefined;
console.log(await mintToken({ secret, scopes, projects, ttlSeconds: Number(values.ttl), subject: values.subject }));
