/**
 * A project's registry indexed for request handling: built once per snapshot
 * version in isolate memory, then shared by every request of that isolate.
 */
import { LarderError } from "./errors";
import type { ValueType } from "./dtypes";
import { MATERIALIZATION_WRITER, pushWriterTag } from "./entity-key";
import {
  viewJoinKeys,
  type DataSourceDef,
  type EntityDef,
  type FeatureServiceDef,
  type FeatureViewDef,
  type RegistryContents,
} from "./registry-model";

export interface CompiledView {
  def: FeatureViewDef;
  /** Join keys of all the view's entities, sorted by name. */
  joinKeys: string[];
  /** The value type of each join key. */
  keyTypes: Record<string, ValueType>;
  featureIndex: Map<string, number>;
  /**
   * The writers whose online records an online read merges: materialization
   * (MATERIALIZATION_WRITER) and, by tag, every push source feeding the view.
   */
  writerTags: string[];
}

function writersOf(contents: RegistryContents, def: FeatureViewDef): string[] {
  const tags = [MATERIALIZATION_WRITER];
  for (const source of contents.data_sources)
    if (source.type === "push" && (source.name === def.source || source.batch_source === def.source))
      tags.push(pushWriterTag(source.name));
  return [...new Set(tags)];
}

export class CompiledRegistry {
  readonly entities: Map<string, EntityDef>;
  readonly sources: Map<string, DataSourceDef>;
  readonly views: Map<string, CompiledView>;
  readonly services: Map<string, FeatureServiceDef>;

  constructor(
    readonly project: string,
    readonly version: number,
    readonly contents: RegistryContents,
    readonly builtAt: string,
  ) {
    this.entities = new Map(contents.entities.map((e) => [e.name, e]));
    this.sources = new Map(contents.data_sources.map((s) => [s.name, s]));
    this.services = new Map(contents.feature_services.map((s) => [s.name, s]));
    this.views = new Map(
      contents.feature_views.map((def) => [
        def.name,
        {
          def,
          joinKeys: viewJoinKeys(this.entities, def),
          keyTypes: Object.assign({}, ...def.entities.map((e) => this.entities.get(e)?.value_types)),
          featureIndex: new Map(def.features.map((f, i) => [f.name, i])),
          writerTags: writersOf(contents, def),
        },
      ]),
    );
  }

  /** The view, or FEATURE_VIEW_NOT_FOUND with the available views (the specification's error). */
  view(name: string): CompiledView {
    const view = this.views.get(name);
    if (!view) {
      throw new LarderError("FEATURE_VIEW_NOT_FOUND", `Feature view '${name}' not found in registry`, {
        feature_view: name,
        available_views: [...this.views.keys()],
      });
    }
    return view;
  }

  service(name: string): FeatureServiceDef {
    const service = this.services.get(name);
    if (!service) {
      throw new LarderError("FEATURE_SERVICE_NOT_FOUND", `Feature service '${name}' not found in registry`, {
        feature_service: name,
        available_services: [...this.services.keys()],
      });
    }
    return service;
  }
}
