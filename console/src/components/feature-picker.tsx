/**
 * Picks what to read: a feature service, or features view by view; and
 * says which join keys (with their value types) the choice needs.
 */
import type { Registry } from "../registry-model";

export interface Selection {
  mode: "service" | "features";
  service: string;
  features: string[];
}

export interface JoinKey {
  name: string;
  valueType: string | undefined;
}

/** The request fields of a selection (`feature_service` or `features`). */
export function selectionRequest(s: Selection): { feature_service?: string; features?: string[] } {
  return s.mode === "service" ? { feature_service: s.service } : { features: s.features };
}

/** The views a selection reads. */
export function selectedViews(r: Registry, s: Selection): string[] {
  if (s.mode === "service") return r.services.find((x) => x.name === s.service)?.feature_views ?? [];
  return [...new Set(s.features.map((f) => f.split(":")[0]))];
}

/** The join keys of the selected views, in view order, each once, with its entity's value type. */
export function joinKeysOf(r: Registry, s: Selection): JoinKey[] {
  const types = new Map<string, string>();
  for (const e of r.entities) for (const [k, t] of Object.entries(e.value_types)) types.set(k, t);
  const keys = selectedViews(r, s).flatMap((v) => r.views.find((x) => x.name === v)?.join_keys ?? []);
  return [...new Set(keys)].map((name) => ({ name, valueType: types.get(name) }));
}

export function initialSelection(r: Registry): Selection {
  return { mode: r.services.length > 0 ? "service" : "features", service: r.services[0]?.name ?? "", features: [] };
}

export function FeaturePicker(props: {
  registry: Registry;
  value: Selection;
  onChange: (s: Selection) => void;
  onlineOnly: boolean;
  idPrefix: string;
}) {
  const { registry, value, onChange, onlineOnly, idPrefix } = props;
  const views = registry.views.filter((v) => !onlineOnly || v.online);
  const toggle = (ref: string, on: boolean) =>
    onChange({ ...value, features: on ? [...value.features, ref] : value.features.filter((f) => f !== ref) });
  return (
    <fieldset class="picker">
      <legend>What to read</legend>
      <div class="radios">
        <label>
          <input
            type="radio"
            name={`${idPrefix}-mode`}
            checked={value.mode === "service"}
            disabled={registry.services.length === 0}
            onChange={() => onChange({ ...value, mode: "service" })}
          />{" "}
          A feature service
        </label>
        <label>
          <input
            type="radio"
            name={`${idPrefix}-mode`}
            checked={value.mode === "features"}
            onChange={() => onChange({ ...value, mode: "features" })}
          />{" "}
          Features, view by view
        </label>
      </div>
      {value.mode === "service" ? (
        <>
          <label class="field" for={`${idPrefix}-service`}>
            Feature service
          </label>
          <select
            id={`${idPrefix}-service`}
            value={value.service}
            onChange={(e) => onChange({ ...value, service: e.currentTarget.value })}
          >
            {registry.services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name} ({s.features.length} features)
              </option>
            ))}
          </select>
        </>
      ) : (
        <div class="feature-groups">
          {views.map((v) => (
            <fieldset key={v.name} class="feature-group">
              <legend>{v.name}</legend>
              {v.features.map((f) => {
                const ref = `${v.name}:${f.name}`;
                return (
                  <label key={ref} class="check">
                    <input
                      type="checkbox"
                      checked={value.features.includes(ref)}
                      onChange={(e) => toggle(ref, e.currentTarget.checked)}
                    />{" "}
                    {f.name} <span class="dtype">{f.dtype}</span>
                  </label>
                );
              })}
            </fieldset>
          ))}
        </div>
      )}
    </fieldset>
  );
}
