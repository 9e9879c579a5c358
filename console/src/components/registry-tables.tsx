/**
 * The registry page's tables, one per kind of object, each row with its
 * anchor (`#view-customer`) and links to the objects it names.
 */
import { formatDuration } from "../format";
import {
  anchor,
  pushSourcesOf,
  type Registry,
  servicesOfView,
  sourceKind,
  viewsOfEntity,
  viewsOfSource,
} from "../registry-model";
import { Tags } from "./feedback";

export const viewHref = (name: string) => `/console/views/${encodeURIComponent(name)}`;

/** Links to objects on this page (or to a view's own page), comma-separated; "–" for none. */
function Links({ names, kind, r }: { names: string[]; kind: "view" | "entity" | "service" | "source"; r?: Registry }) {
  if (names.length === 0) return <span class="muted">–</span>;
  return (
    <span class="links">
      {names.map((name, i) => {
        const k = kind === "source" && r ? (sourceKind(r, name) ?? "source") : kind;
        const href = kind === "view" ? viewHref(name) : `#${anchor(k, name)}`;
        return (
          <span key={name}>
            {i > 0 ? ", " : null}
            <a href={href}>{name}</a>
          </span>
        );
      })}
    </span>
  );
}

export function ttlText(seconds: number): string {
  return seconds === 0 ? "no limit" : formatDuration(seconds);
}

export function Views({ r, all }: { r: Registry; all: Registry }) {
  return (
    <table>
      <caption class="visually-hidden">Feature views</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Entities</th>
          <th scope="col">Schema</th>
          <th scope="col">TTL</th>
          <th scope="col">Online</th>
          <th scope="col">Source</th>
          <th scope="col">Feature services</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {r.views.map((v) => (
          <tr key={v.name} id={anchor("view", v.name)}>
            <th scope="row">
              <a href={viewHref(v.name)}>{v.name}</a>
              {v.description ? <div class="muted small">{v.description}</div> : null}
            </th>
            <td>
              <Links names={v.entities} kind="entity" />
            </td>
            <td>
              <details>
                <summary>{v.features.length} features</summary>
                <ul class="schema">
                  {v.features.map((f) => (
                    <li key={f.name}>
                      <code>{f.name}</code> <span class="dtype">{f.dtype}</span>
                    </li>
                  ))}
                </ul>
              </details>
            </td>
            <td>{ttlText(v.ttl_seconds)}</td>
            <td>{v.online ? "yes" : "no"}</td>
            <td>
              <Links names={[v.source]} kind="source" r={all} />
            </td>
            <td>
              <Links names={servicesOfView(all, v.name)} kind="service" />
            </td>
            <td>
              <Tags tags={v.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Entities({ r, all }: { r: Registry; all: Registry }) {
  return (
    <table>
      <caption class="visually-hidden">Entities</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Join keys</th>
          <th scope="col">Feature views</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {r.entities.map((e) => (
          <tr key={e.name} id={anchor("entity", e.name)}>
            <th scope="row">
              {e.name}
              {e.description ? <div class="muted small">{e.description}</div> : null}
            </th>
            <td>
              {e.join_keys.map((k) => (
                <div key={k}>
                  <code>{k}</code> <span class="dtype">{e.value_types[k]}</span>
                </div>
              ))}
            </td>
            <td>
              <Links names={viewsOfEntity(all, e.name)} kind="view" />
            </td>
            <td>
              <Tags tags={e.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Services({ r }: { r: Registry }) {
  return (
    <table>
      <caption class="visually-hidden">Feature services</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Feature views</th>
          <th scope="col">Features</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {r.services.map((s) => (
          <tr key={s.name} id={anchor("service", s.name)}>
            <th scope="row">
              {s.name}
              {s.description ? <div class="muted small">{s.description}</div> : null}
            </th>
            <td>
              <Links names={s.feature_views} kind="view" />
            </td>
            <td>
              <details>
                <summary>{s.features.length} features</summary>
                <ul class="schema">
                  {s.features.map((f) => (
                    <li key={f}>
                      <code>{f}</code>
                    </li>
                  ))}
                </ul>
              </details>
            </td>
            <td>
              <Tags tags={s.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Sources({ r, all }: { r: Registry; all: Registry }) {
  return (
    <table>
      <caption class="visually-hidden">Data sources</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Path</th>
          <th scope="col">Timestamps</th>
          <th scope="col">Push sources</th>
          <th scope="col">Feature views</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {r.sources.map((s) => (
          <tr key={s.name} id={anchor("source", s.name)}>
            <th scope="row">
              {s.name}
              {s.description ? <div class="muted small">{s.description}</div> : null}
            </th>
            <td>
              <code>{s.path ?? "–"}</code> <span class="muted small">{s.file_format}</span>
            </td>
            <td>
              <code>{s.timestamp_field ?? "–"}</code>
              {s.created_timestamp_column ? (
                <div class="small">
                  created: <code>{s.created_timestamp_column}</code>
                </div>
              ) : null}
            </td>
            <td>
              {pushSourcesOf(all, s.name).map((p, i) => (
                <span key={p}>
                  {i > 0 ? ", " : null}
                  <a href={`#${anchor("push", p)}`}>{p}</a>
                </span>
              ))}
              {pushSourcesOf(all, s.name).length === 0 ? <span class="muted">–</span> : null}
            </td>
            <td>
              <Links names={viewsOfSource(all, s.name)} kind="view" />
            </td>
            <td>
              <Tags tags={s.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PushSources({ r }: { r: Registry }) {
  return (
    <table>
      <caption class="visually-hidden">Push sources</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Batch source</th>
          <th scope="col">Feature views</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {r.pushSources.map((p) => (
          <tr key={p.name} id={anchor("push", p.name)}>
            <th scope="row">
              {p.name}
              {p.description ? <div class="muted small">{p.description}</div> : null}
            </th>
            <td>
              <a href={`#${anchor("source", p.batch_source)}`}>{p.batch_source}</a>
            </td>
            <td>
              <Links names={p.feature_views} kind="view" />
            </td>
            <td>
              <Tags tags={p.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
